"""The overhead scripts under tools/analysis/ print their timings and the
ratios of those timings. Timings vary with the machine's load, so the tests
check that each printed ratio is the ratio of the printed times, not its
size (the figures themselves belong in the closing notes)."""
import re

import pytest

from conftest import KD_CFG, run_tool


def test_overhead_script_prints_ratio(fmnist_ready, tmp_path):
    proc = run_tool(['tools/analysis/distill_overhead.py', KD_CFG,
                     '--iters', '3', '--warmup', '1', '--random-teacher',
                     '--cfg-options', 'train_dataloader.dataset.indices=512',
                     f'model.teacher_checkpoint={tmp_path}/untrained.pth'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    times = []
    for label in ('distill train step', 'student train step',
                  'teacher inference'):
        found = re.search(label + r'\s+:\s+([\d.]+) ms', out)
        assert found, out
        times.append(float(found.group(1)))
    ratio = float(re.search(r'= ([\d.]+)', out).group(1))
    distill, student, teacher = times
    assert ratio == pytest.approx(distill / (student + teacher), rel=0.02,
                                  abs=2e-3), out


def test_detection_overhead_script_prints_both_ratios():
    proc = run_tool(['tools/analysis/det_distill_overhead.py', '--iters',
                     '1', '--warmup', '0', '--random-teacher', '--configs',
                     'configs/det/chen/chen-hint_faster-rcnn_r18_faster-'
                     'rcnn_r18-w16_1xb8-3e_coco-mini.py'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    a = re.search(r'\(a\) LD train step: kdbench ([\d.]+) ms, mmdet '
                  r'KnowledgeDistillationSingleStageDetector ([\d.]+) ms; '
                  r'ratio ([\d.]+)', out)
    assert a, out
    ours, theirs, ratio = (float(v) for v in a.groups())
    assert ratio == pytest.approx(ours / theirs, rel=0.02, abs=2e-3), out
    b = re.search(r'chen-hint_\S+: distill ([\d.]+) ms, student ([\d.]+) '
                  r'ms, teacher ([\d.]+) ms; ratio ([\d.]+)', out)
    assert b, out
    distill, student, teacher, ratio = (float(v) for v in b.groups())
    assert ratio == pytest.approx(distill / (student + teacher), rel=0.02,
                                  abs=2e-3), out


def test_segmentation_overhead_script_prints_ratios_and_critic_share():
    proc = run_tool(['tools/analysis/seg_distill_overhead.py', '--iters',
                     '1', '--warmup', '0', '--random-teacher', '--configs',
                     'configs/seg/skd/skd-full_pspnet_r18-d8_pspnet_r18-'
                     'w16-d8_1xb8-1500i_cityscapes-mini.py'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    found = re.search(
        r'skd-full_\S+: distill ([\d.]+) ms, student ([\d.]+) ms, teacher '
        r'([\d.]+) ms; ratio ([\d.]+); without the critic ([\d.]+) ms, '
        r'ratio ([\d.]+); critic share of the step (-?[\d.]+)%', out)
    assert found, out
    distill, student, teacher, ratio, no_critic, ratio_nc, share = (
        float(v) for v in found.groups())
    assert ratio == pytest.approx(distill / (student + teacher), rel=0.02,
                                  abs=2e-3), out
    assert ratio_nc == pytest.approx(no_critic / (student + teacher),
                                     rel=0.02, abs=2e-3), out
    assert share == pytest.approx(100 * (distill - no_critic) / distill,
                                  rel=0.02, abs=0.2), out


def test_tiny_overhead_script_prints_ratios_to_plain(fmnist_ready):
    proc = run_tool(['tools/analysis/tiny_overhead.py', '--iters', '1',
                     '--warmup', '0', '--batch-size', '8'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = dict(
        (name, (float(ms), float(ratio))) for name, ms, ratio in re.findall(
            r'(\w+)\s*:\s+([\d.]+) ms  ratio to plain ([\d.]+)',
            proc.stdout))
    assert set(rows) == {'plain', 'netaug', 'netaug_expand', 'netaug_run',
                         'netdistiller'}, proc.stdout
    plain = rows['plain'][0]
    for name, (ms, ratio) in rows.items():
        assert ratio == pytest.approx(ms / plain, rel=0.02, abs=2e-3), name
    # the whole run: half of the steps with width augmentation (the mini
    # config's stop_width_aug=0.5), half without
    assert rows['netaug_run'][0] == pytest.approx(
        (rows['netaug'][0] + rows['netaug_expand'][0]) / 2, abs=0.15)


def test_cached_kd_overhead_script_prints_the_ratios(fmnist_ready, tmp_path):
    """With no cache at the config's path, a 1-epoch cache is built in a
    temporary directory and the four steps are timed."""
    proc = run_tool(['tools/analysis/cached_kd_overhead.py', '--iters', '1',
                     '--warmup', '0', '--cfg-options',
                     f'model.teacher_cache={tmp_path / "absent"}',
                     'train_dataloader.dataset.dataset.indices=256'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert 'built a 1-epoch cache' in out
    ms = {label: float(re.search(label + r'\s+:\s+([\d.]+) ms',
                                 out).group(1))
          for label in ('cached KD train step', 'online KD train step',
                        'student train step', 'teacher inference')}
    cached = float(re.search(r'cached KD / student = ([\d.]+)',
                             out).group(1))
    online = float(re.search(r'online KD / \(student \+ teacher\) = '
                             r'([\d.]+)', out).group(1))
    assert cached == pytest.approx(ms['cached KD train step'] /
                                   ms['student train step'], rel=0.02,
                                   abs=2e-3), out
    assert online == pytest.approx(
        ms['online KD train step'] / (ms['student train step'] +
                                      ms['teacher inference']), rel=0.02,
        abs=2e-3), out


def test_loss_gradient_scale_separates_the_terms(fmnist_ready, tmp_path):
    """Each term's gradient norm is its own: doubling the KD weight
    doubles the KD term's value and gradient and leaves the student's
    task loss alone (same student seed, same batch)."""
    import sys
    sys.path.insert(0, 'tools/analysis')
    from loss_gradient_scale import gradient_scales
    from kdbench.utils.cli import load_config
    from kdbench.utils.step_timing import random_teacher_checkpoint
    opts = {'train_dataloader.dataset.indices': 128,
            'model.teacher_checkpoint': f'{tmp_path}/untrained.pth'}
    cfg = load_config(KD_CFG, opts)
    random_teacher_checkpoint(cfg, {})
    once = gradient_scales(cfg, 1, seed=3)
    cfg.model.distill_losses.kd.loss_weight *= 2
    twice = gradient_scales(cfg, 1, seed=3)
    assert set(once) == {'student.loss', 'distill.loss_kd', '_task',
                         '_logit_std'}
    assert once['_task'] == pytest.approx(once['student.loss'])
    assert twice['distill.loss_kd'] == pytest.approx(
        tuple(2 * v for v in once['distill.loss_kd']), rel=1e-5)
    assert twice['student.loss'] == pytest.approx(once['student.loss'],
                                                  rel=1e-6)
    student_std, teacher_std = once['_logit_std']
    assert student_std > 0 and teacher_std > 0


def test_metric_deltas_pairs_by_seed_and_lists_runs_without_the_key(
        tmp_path, capsys):
    """tools/analysis/metric_deltas.py: Δ of a side metric with the paired
    t interval, checked against the interval computed here from the
    per-seed differences; one block per table of the suite; a run without
    a value (the key absent, pycocotools' -1, or failed) is named, not
    counted; a suite without runs or a key no run has is one line, exit 2."""
    import json
    import math
    import os.path as osp
    import statistics
    import sys

    from scipy import stats as sps

    from conftest import REPO
    sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
    import metric_deltas
    from kdbench.leaderboard.runner import repo_relpath
    suite = tmp_path / 'suite.py'
    suite.write_text('metric_scale = 100\n')
    name = repo_relpath(str(suite))
    # seed 3 of ld has no AP75, seed 4 of ld -1 (not evaluated), seed 5 of
    # ld failed
    ap75 = {'baseline': [0.380, 0.390, 0.370, 0.385, 0.381, 0.382],
            'ld': [0.391, 0.402, 0.377, None, -1.0, 0.5]}
    with open(tmp_path / 'r.jsonl', 'w') as f:
        for dataset in ('coco', 'voc'):
            for method, values in ap75.items():
                for seed, v in enumerate(values):
                    metrics = {'coco/bbox_mAP': 0.3}
                    if v is not None:
                        metrics['coco/bbox_mAP_75'] = v
                    if dataset == 'voc':  # another table: +0.1 everywhere
                        metrics = {k: x + 0.1 for k, x in metrics.items()}
                    f.write(json.dumps(dict(
                        suite=name, method=method, seed=seed, phase='test',
                        task='detection', benchmark='mini', metric='mAP',
                        dataset=dataset, teacher='T', student='S',
                        config=f'{method}.py', commit='abc', iters=10,
                        train_s=1.0, s_per_iter=0.1, peak_mem_mb=1.0,
                        paired=True, reference='baseline', value=30.0,
                        status='failed' if (method, seed) == ('ld', 5)
                        else None,
                        finished_at=f'2026-12-07T0{seed}:00:00',
                        extra=dict(metrics={'coco/bbox_mAP_75': 0.0},
                                   test_metrics=metrics))) + '\n')
    records = str(tmp_path / 'r.jsonl')
    metric_deltas.main([str(suite), 'coco/bbox_mAP_75', '--records',
                        records])
    out = capsys.readouterr().out
    blocks = out.split('\ncoco/bbox_mAP_75')[1:]
    assert len(blocks) == 2 and 'coco: T -> S' in blocks[0] and \
        'voc: T -> S' in blocks[1]
    # seeds 0-2 pair; the test split's values are read, x100
    diffs = [100 * (a - b) for a, b in zip(ap75['ld'][:3],
                                           ap75['baseline'][:3])]
    mean, sd = statistics.fmean(diffs), statistics.stdev(diffs)
    half = sps.t.ppf(0.975, 2) * sd / math.sqrt(3)
    assert mean - half > 0  # the differences 1.1, 1.2, 0.7: better
    for block, shift in zip(blocks, (0.0, 10.0)):
        line = next(x for x in block.splitlines() if x.startswith('| ld |'))
        ld = [100 * v + shift for v in ap75['ld'][:3]]
        assert line == (f'| ld | 3 | {statistics.fmean(ld):.2f} ± '
                        f'{statistics.stdev(ld):.2f} | baseline | 3 | '
                        f'{mean:+.2f} [{mean - half:+.2f}, '
                        f'{mean + half:+.2f}] | better |')
        assert 'runs without a value (not counted): ld seed 3 (not ' \
            'evaluated), ld seed 4 (not evaluated), ld seed 5 (failed)' \
            in block
    for argv, message in (
            ([str(suite), 'coco/nope', '--records', records],
             "has a value of 'coco/nope'"),
            ([str(suite), 'coco/bbox_mAP_75', '--records',
              str(tmp_path / 'none.jsonl')], 'holds no run of')):
        with pytest.raises(SystemExit) as exit_info:
            metric_deltas.main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1


def _positive_ious_by_hand(model, cfg, images):
    """The IoU of each positive's predicted box, computed here: ATSS
    targets from mmdet's head, the box from the softmax expectation of
    each edge's bins (in strides, around the prior's centre), the IoU
    from torchvision."""
    import torch
    from mmengine.runner import Runner
    from mmdet.models.utils import unpack_gt_instances
    from torchvision.ops import box_iou
    head = model.bbox_head
    bins = torch.arange(head.reg_max + 1, dtype=torch.float32)
    loader = cfg.val_dataloader.copy()
    loader.dataset = dict(loader.dataset, indices=images)
    expected = []
    with torch.no_grad():
        for batch in Runner.build_dataloader(loader):
            data = model.data_preprocessor(batch, training=True)
            gts, ignores, metas = unpack_gt_instances(data['data_samples'])
            _, bbox_preds = head(model.extract_feat(data['inputs']))
            sizes = [p.shape[-2:] for p in bbox_preds]
            anchors, flags = head.get_anchors(sizes, metas, device='cpu')
            targets = head.get_targets(anchors, flags, gts, metas, ignores)
            for level, (a, labels, boxes, pred) in enumerate(zip(
                    targets[0], targets[1], targets[3], bbox_preds)):
                stride = head.prior_generator.strides[level][0]
                n = pred.shape[0]
                edges = pred.permute(0, 2, 3, 1).reshape(
                    n, -1, 4, head.reg_max + 1).softmax(-1) @ bins
                pos = (labels >= 0) & (labels < head.num_classes)
                centre = (a[pos][:, :2] + a[pos][:, 2:]) / 2
                ltrb = edges[pos] * stride
                box = torch.cat([centre - ltrb[:, :2], centre + ltrb[:, 2:]],
                                dim=1)
                expected.append(box_iou(box, boxes[pos]).diagonal())
    return torch.cat(expected)


def test_positive_iou_matches_the_boxes_computed_by_hand(tmp_path, capsys):
    """tools/analysis/det_positive_iou.py: the printed count and mean IoU
    at the positives equal the ones computed here, for a random model and
    for one whose box branch is zeroed (every edge's bins uniform: a
    square of half side reg_max / 2 strides, whose IoU follows from the
    priors alone). Errors are one line, exit 2: an odd number of paths,
    --images 0, weights of another model, a head that is not GFLHead, a
    pipeline that resizes images but not boxes."""
    import os.path as osp
    import sys

    import torch

    from conftest import REPO
    from kdbench.compat import save_weights
    from kdbench.utils.cli import UserInputError, load_config
    from kdbench.utils.step_timing import build_in_scope
    sys.path.insert(0, osp.join(REPO, 'tools', 'analysis'))
    import det_positive_iou
    config = osp.join(REPO, 'configs/det/baseline/'
                      'gfl_r18-w16_1xb8-4e_coco-mini.py')
    cfg = load_config(config)
    torch.manual_seed(0)
    model = build_in_scope(cfg, cfg.model.to_dict()).eval()
    for name, zero in (('random', False), ('uniform', True)):
        if zero:
            torch.nn.init.zeros_(model.bbox_head.gfl_reg.weight)
            torch.nn.init.zeros_(model.bbox_head.gfl_reg.bias)
        weights = str(tmp_path / f'{name}.pth')
        save_weights(model.state_dict(), weights)
        det_positive_iou.main([config, weights, '--images', '4'])
        row = capsys.readouterr().out.strip().splitlines()[-1].split('|')
        expected = _positive_ious_by_hand(model, cfg, 4)
        assert int(row[3]) == expected.numel() > 0
        assert float(row[4]) == pytest.approx(float(expected.mean()),
                                              abs=1e-4), name

    frcnn = osp.join(REPO, 'configs/det/baseline/'
                     'faster-rcnn_r18-w16_1xb8-3e_coco-mini.py')
    teacher = osp.join(REPO, 'configs/det/teacher/'
                       'gfl_r18_1xb8-16e_coco-mini.py')
    for argv, message in (([config], 'CONFIG WEIGHTS pairs'),
                          ([config, weights, '--images', '0'],
                           '--images must be at least 1'),
                          ([teacher, weights], 'does not fit the model'),
                          ([frcnn, weights], 'not GFLHead')):
        with pytest.raises(SystemExit) as exit_info:
            det_positive_iou.main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
    resized = load_config(config)
    resized.val_dataloader.dataset.pipeline[1].scale = (256, 256)
    with pytest.raises(UserInputError, match='resizes the images'):
        det_positive_iou.positive_ious(resized, weights, 2)
