"""Records and rendering, with values computed by hand."""
import json
import math

import pytest
from scipy import stats as sps

from kdbench.leaderboard import (append_record, read_records,
                                 render_markdown, stats, summarize)


def rec(method, seed, value, train_s=10.0):
    return dict(task='classification', benchmark='mini',
                dataset='fashion_mnist', method=method, config=f'{method}.py',
                teacher='T', student='S', seed=seed, metric='top1',
                value=value, teacher_value=90.0, iters=100, train_s=train_s,
                s_per_iter=train_s / 100, peak_mem_mb=1000.0, commit='abc',
                versions={}, command='x', finished_at='now')


def test_append_and_read(tmp_path):
    path = str(tmp_path / 'r.jsonl')
    append_record(path, rec('kd', 0, 1.0))
    append_record(path, rec('kd', 1, 2.0))
    assert [r['value'] for r in read_records(path)] == [1.0, 2.0]
    with pytest.raises(ValueError, match='lacks keys'):
        append_record(path, dict(task='x'))
    with open(path, 'a') as f:
        f.write('{not json\n')
    with pytest.raises(ValueError, match=':3: not a JSON record'):
        read_records(path)


def test_summary_and_markdown():
    records = [rec('baseline', s, v) for s, v in enumerate([80, 82, 84])]
    records += [rec('kd', s, v, train_s=12.0)
                for s, v in enumerate([85, 86, 87])]
    records += [rec('teacher', 0, 90.0, train_s=50.0)]
    rows = next(iter(summarize(records).values()))
    assert rows['baseline']['mean'] == 82 and rows['baseline']['std'] == 2
    assert rows['kd']['std'] == 1
    text = render_markdown(records, 'classification', 'Title')
    # unpaired records: Welch's interval, by hand (s² = 1 and 4, n = 3)
    se2 = 1 / 3 + 4 / 3
    dof = se2 ** 2 / ((1 / 3) ** 2 / 2 + (4 / 3) ** 2 / 2)
    half = sps.t.ppf(0.975, dof) * math.sqrt(se2)
    assert (f'| kd | 3 | 86.00 ± 1.00 | baseline | +4.00 [{4 - half:+.2f}, '
            f'{4 + half:+.2f}] | no detectable difference | 100 | 1.20 | '
            f'1000 | `kd.py` |') in text
    assert '| baseline | 3 | 82.00 ± 2.00 | – | – | – | 100 | 1.00 |' in text
    # minimum detectable effect from the pooled within-method sd
    # sqrt((2 * 4 + 2 * 1) / 4) at n = 3 per arm
    mde = stats.minimum_detectable_effect(math.sqrt(10 / 4), 3, False)
    assert f'Minimum detectable effect: {mde:.2f} top1' in text
    assert 'Teacher top1: **90.00**' in text
    # rows follow the method order: teacher, baseline, kd
    assert text.index('| teacher |') < text.index('| baseline |') < \
        text.index('| kd |')
    assert 'No records yet' in render_markdown([], 'detection', 'D')
    json.dumps(records)  # records are plain JSON


def test_only_current_runs_are_shown():
    """History stays in the file; the table shows the latest teacher, the
    distiller runs made with it, each method's latest config, one run per
    seed."""
    def at(r, when, **kw):
        r.update(finished_at=when, **kw)
        return r
    old_t = at(rec('teacher', 0, 80.0), '1', teacher_sha256='a')
    new_t = at(rec('teacher', 0, 90.0), '5', teacher_sha256='b')
    records = [
        old_t, new_t,
        at(rec('kd', 0, 50.0), '2', teacher_sha256='a', config_sha256='c1'),
        at(rec('kd', 0, 70.0), '6', teacher_sha256='b', config_sha256='c1'),
        at(rec('kd', 1, 72.0), '7', teacher_sha256='b', config_sha256='c1'),
        at(rec('at', 0, 10.0), '6', teacher_sha256='b', config_sha256='old'),
        at(rec('at', 0, 60.0), '8', teacher_sha256='b', config_sha256='new'),
        at(rec('baseline', 0, 65.0), '3', config_sha256='x'),
        at(rec('baseline', 0, 66.0), '9', config_sha256='x'),
    ]
    rows = next(iter(summarize(records).values()))
    assert rows['teacher']['mean'] == 90.0 and rows['teacher']['n'] == 1
    assert rows['kd']['mean'] == 71.0 and rows['kd']['n'] == 2
    assert rows['at']['mean'] == 60.0 and rows['at']['n'] == 1
    assert rows['baseline']['mean'] == 66.0 and rows['baseline']['n'] == 1


def test_side_metrics_are_rendered_beside_the_metric():
    records = []
    for method, values, ap50 in (('baseline', [20.0, 22.0], [40.0, 44.0]),
                                 ('ld', [25.0, 26.0], [50.0, 50.0])):
        for seed, (v, a) in enumerate(zip(values, ap50)):
            r = rec(method, seed, v)
            r.update(task='detection', metric='bbox_mAP',
                     side_metrics=dict(AP50=a))
            records.append(r)
    text = render_markdown(records, 'detection', 'D')
    assert '| method | n | bbox_mAP | AP50 | vs | Δ [95 % CI] |' in text
    # std of (40, 44) is 2.83, of (25, 26) 0.71
    assert '| ld | 2 | 25.50 ± 0.71 | 50.00 ± 0.00 | baseline | +4.50 [' \
        in text
    assert '| baseline | 2 | 21.00 ± 1.41 | 42.00 ± 2.83 | – |' in text


def test_runner_metric_scale_and_no_predictions(tmp_path):
    from kdbench.leaderboard.runner import BenchmarkRunner, RunFailed
    suite = tmp_path / 'suite.py'
    suite.write_text(
        "task = 'detection'\nbenchmark = 'mini'\ndataset = 'coco'\n"
        "metric = 'bbox_mAP'\nmetric_key = 'coco/bbox_mAP'\n"
        "metric_scale = 100\nside_metrics = dict(AP50='coco/bbox_mAP_50')\n"
        "no_prediction_value = 0.0\ntitle = 'D'\n"
        "leaderboard = 'leaderboards/detection.md'\nseeds = [0]\n"
        "teacher = dict(name='T', config='t.py')\nstudent = 'S'\n"
        "methods = dict(baseline='b.py')\n")
    runner = BenchmarkRunner(str(suite), records_path=str(tmp_path / 'r'))
    result = dict(metrics={'coco/bbox_mAP': 0.123,
                           'coco/bbox_mAP_50': 0.5})
    assert runner._metric(result, 'x') == pytest.approx(12.3)
    assert runner._side_metrics(result, 'x') == dict(
        AP50=pytest.approx(50.0))
    # CocoMetric returned nothing because no box was predicted: AP 0
    assert runner._metric(dict(metrics={}, no_predictions=True), 'x') == 0
    # missing for another reason: the run fails, with the keys it had
    with pytest.raises(RunFailed, match=r"'coco/bbox_mAP' missing.*other"):
        runner._metric(dict(metrics={'other': 1.0}), 'x')

    # with a validation split the number is the test split's, and "nothing
    # predicted" must be said of the test split, not of the validation
    runner.validation_split = True
    both = dict(metrics={'coco/bbox_mAP': 0.3, 'coco/bbox_mAP_50': 0.6},
                test_metrics={'coco/bbox_mAP': 0.2, 'coco/bbox_mAP_50': 0.4})
    assert runner._metric(both, 'x') == pytest.approx(20.0)
    assert runner._metric(both, 'x', split='val') == pytest.approx(30.0)
    assert runner._side_metrics(both, 'x') == dict(AP50=pytest.approx(40.0))
    assert runner._metric(dict(metrics={}, test_metrics={},
                               test_no_predictions=True), 'x') == 0
    with pytest.raises(RunFailed, match='missing'):
        runner._metric(dict(metrics={}, no_predictions=False,
                            test_metrics={}), 'x')
    with pytest.raises(RunFailed, match='missing'):  # val said nothing
        runner._metric(dict(metrics={}, test_metrics={},
                            no_predictions=True,
                            test_no_predictions=False), 'x')
    with pytest.raises(RunFailed, match='test_after_train is off'):
        runner._metric(dict(metrics={'coco/bbox_mAP': 0.3}), 'x')


def test_budget_column_only_when_a_method_states_one():
    records = [rec('teacher', 0, 90.0), rec('baseline', 0, 80.0),
               rec('kd', 0, 84.0)]
    assert '| budget |' not in render_markdown(records, 'classification',
                                               'T')
    ban = rec('ban', 0, 83.0, train_s=30.0)
    ban['budget'] = '3 generations × 3 ep'
    text = render_markdown(records + [ban], 'classification', 'T')
    assert '| iters | budget | cost × baseline |' in text
    # one seed each: Δ of the means, no interval
    assert '| ban | 1 | 83.00 ± 0.00 | baseline | +3.00 | too few seeds | ' \
        '100 | 3 generations × 3 ep | 3.00 |' in text
    assert '| kd | 1 | 84.00 ± 0.00 | baseline | +4.00 | too few seeds | ' \
        '100 | as baseline | 1.00 |' in text
    assert '| teacher | 1 | 90.00 ± 0.00 | – | – | – | 100 | – | – |' in text


def test_teacher_identity_flags_and_cost_check():
    """Records of the protocol name their teacher by config (teacher_id):
    rows made with another teacher config drop out, rows made with other
    weights of the same teacher stay; a run that shared the machine beyond
    the runner's own jobs is marked; a distiller cheaper than its student
    is called out."""
    from kdbench.leaderboard.render import shared_machine

    def proto(method, seed, value, when, tid='config:a', sha='w1', **kw):
        r = rec(method, seed, value)
        r.update(finished_at=when, teacher_id=tid, teacher_sha256=sha,
                 phase='test', threads=1, jobs=2, paired=True,
                 train_cpu_s=10.0, other_cpu_cores=1.0)
        r.update(kw)
        return r
    records = [
        proto('teacher', 0, 90.0, '1'),
        proto('kd', 0, 80.0, '2'), proto('kd', 1, 81.0, '3', sha='w2'),
        proto('at', 0, 70.0, '2', tid='config:old'),
        proto('baseline', 0, 75.0, '2', tid=None, sha=None),
        proto('baseline', 1, 76.0, '3', tid=None, sha=None,
              other_cpu_cores=1.5),
        proto('nst', 0, 74.0, '4', train_cpu_s=5.0),
        proto('kd', 2, 1.0, '5', phase='tune'),
    ]
    rows = next(iter(summarize(records).values()))
    assert rows['kd']['n'] == 2  # both weights; the tuning run is not shown
    assert 'at' not in rows
    assert rows['baseline']['shared'] == 1 and rows['kd']['shared'] == 0
    assert shared_machine(dict(other_cpu_cores=1.3, jobs=2, threads=1))
    assert not shared_machine(dict(other_cpu_cores=1.3, jobs=2, threads=2))
    text = render_markdown(records, 'classification', 'T')
    assert '**Cost suspect**: nst' in text
    assert '| baseline | 2 | 75.50 ± 0.71 |' in text
    assert '(shared)' in text
    # paired by seed: kd − baseline = +5, +5 on seeds 0 and 1
    assert '| kd | 2 | 80.50 ± 0.71 | baseline | +5.00 [+5.00, +5.00] | ' \
        'better |' in text


def test_a_setting_at_the_edge_of_its_grid_is_marked():
    from kdbench.leaderboard.render import at_grid_edge
    lr, clip = 'optim.lr', 'optim.max_norm'
    grid = {lr: [0.1, 0.2, 0.4]}
    assert at_grid_edge({lr: 0.4}, grid) and at_grid_edge({lr: 0.1}, grid)
    assert not at_grid_edge({lr: 0.2}, grid)
    assert not at_grid_edge({lr: 0.2}, {lr: [0.1, 0.2]})  # 2 values: no
    tied = {f'{lr}|b.lr': [0.1, 0.2, 0.4]}
    assert at_grid_edge({lr: 0.4, 'b.lr': 0.4}, tied)
    paired = {f'{lr},{clip}': [[0.1, 4.0], [0.2, 2.0], [0.4, 1.0]]}
    assert at_grid_edge({lr: 0.1, clip: 4.0}, paired)
    assert not at_grid_edge({lr: 0.2, clip: 2.0}, paired)
    # one change at a time around a default: each setting is judged over
    # its own values; mu takes 4 (edges 0.25, 0.9), lr only 2 (no edge)
    mu = 'model.mu'
    one_at_a_time = {f'{lr},{mu}': [(1e-3, 0.5), (2e-3, 0.5), (1e-3, 0.25),
                                    (1e-3, 0.75), (1e-3, 0.9)]}
    assert not at_grid_edge({lr: 2e-3, mu: 0.5}, one_at_a_time)
    assert not at_grid_edge({lr: 1e-3, mu: 0.75}, one_at_a_time)
    assert at_grid_edge({lr: 1e-3, mu: 0.9}, one_at_a_time)
    assert at_grid_edge({lr: 1e-3, mu: 0.25}, one_at_a_time)
    assert not at_grid_edge(None, grid) and not at_grid_edge({lr: 0.4}, None)
    # in the table: the tuned column and a note say so
    tuning = dict(seed=100, grid=grid, sweep=[])
    records = [rec('teacher', 0, 90.0)]
    for seed in (0, 1):
        records += [dict(rec('baseline', seed, 80.0 + seed),
                         tuned={lr: 0.2}, tuning=tuning),
                    dict(rec('kd', seed, 82.0 + seed), tuned={lr: 0.4},
                         tuning=tuning)]
    text = render_markdown(records, 'classification', 'T')
    assert '| lr=0.4 (edge) |' in text and '| lr=0.2 |' in text
    assert '(edge): the chosen setting is the first or last value of its ' \
        'grid (kd)' in text


def test_extra_comparisons_and_multi_teacher_rows():
    """A suite's `comparisons` add Δ rows between two methods (paired
    interval computed here); a multi-teacher run, whose teacher id adds
    its other teachers to the main one's, stays in the table."""
    import statistics

    from scipy import stats as sps
    from kdbench.leaderboard.render import render_markdown
    records = [rec('teacher', 0, 90.0)]
    values = dict(baseline=[70.0, 71.0, 72.5], kd=[74.0, 74.5, 76.0],
                  kd_cached=[74.5, 74.0, 76.5], ens_kd=[75.0, 75.5, 77.0])
    for method, vals in values.items():
        for seed, v in enumerate(vals):
            r = rec(method, seed, v)
            if method != 'baseline':
                r['teacher_id'] = 'config:t' + (
                    '+r50=config:x' if method == 'ens_kd' else '')
            records.append(r)
    records[0]['teacher_id'] = 'config:t'
    for r in records:
        r['paired'] = True
    text = render_markdown(records, 'classification', 'T',
                           comparisons=[('kd_cached', 'kd'),
                                        ('absent', 'kd')])
    assert '| ens_kd | 3 |' in text
    diffs = [a - b for a, b in zip(values['kd_cached'], values['kd'])]
    mean = statistics.fmean(diffs)
    half = sps.t.ppf(0.975, 2) * statistics.stdev(diffs) / 3 ** 0.5
    assert (f'| kd_cached | kd | 3 | {mean:+.2f} [{mean - half:+.2f}, '
            f'{mean + half:+.2f}] | no detectable difference |') in text
    assert '| absent |' not in text


def test_teacher_cache_build_is_reported_beside_the_cost():
    """A row read from a teacher-output cache: the build time and size,
    per run when shared by the seeds, and the cost with the build added
    (cost 12 s + 30 s / 3 runs = 22 s against the baseline's 10 s)."""
    cache = dict(build_s=30.0, mib=2.5, path='/c/kd_cached')
    records = []
    for seed in range(3):
        for method, cpu, extra in (('baseline', 10.0, {}),
                                   ('kd_cached', 12.0,
                                    dict(teacher_cache=cache))):
            r = rec(method, seed, 80.0 + seed)
            r.update(train_cpu_s=cpu, phase='test', threads=1, jobs=1,
                     extra=extra)
            records.append(r)
    text = render_markdown(records, 'classification', 'T')
    assert ('kd_cached: its teacher-output cache, built once and read by '
            'all 3 seeds, took 30 s (wall clock) to build (2.5 MiB), 10.0 s '
            'per run, not in the cost column (with it, counting '
            'its wall clock as CPU time: 2.20).') in text
    assert 'baseline: its teacher-output cache' not in text


def test_a_far_noisier_row_is_named_beside_the_pooled_mde():
    """Paired seeds: three rows whose differences to the baseline have sd
    1 and one with sd 10. The pooled MDE (sd sqrt((1+1+1+100)/4)) is
    printed, and beside it the typical row's (median sd 1) and the noisy
    row with its own MDE."""
    records = []
    diffs = dict(a=[1, 2, 3], b=[2, 3, 4], c=[0, 1, 2], noisy=[-10, 0, 10])
    for seed in range(3):
        r = rec('baseline', seed, 70.0 + seed)
        r.update(paired=True)
        records.append(r)
        for method, d in diffs.items():
            r = rec(method, seed, 70.0 + seed + d[seed])
            r.update(paired=True)
            records.append(r)
    text = render_markdown(records, 'classification', 'T')
    pooled = stats.minimum_detectable_effect(math.sqrt(103 / 4), 3, True)
    typical = stats.minimum_detectable_effect(1.0, 3, True)
    own = stats.minimum_detectable_effect(10.0, 3, True)
    assert f'Minimum detectable effect: {pooled:.2f} top1' in text
    assert (f'a typical row (median sd 1.00) detects {typical:.2f} top1; '
            f'rows whose own MDE is above 1.5 times that: noisy '
            f'({own:.2f}).') in text


def test_two_tables_of_one_dataset_keep_their_own_plots(tmp_path):
    """Two detector families on one mini dataset are two tables of one
    file: each gets plot files of its own, named after its teacher and
    student, and links them; a table alone on its dataset keeps the short
    name; runs that validate once get no curves plot (an old one is
    removed) but a note."""
    from kdbench.leaderboard.render import write_leaderboard
    records = []
    for teacher, student, base in (('GFL R-18', 'GFL R-18 w16', 30),
                                   ('Faster R-CNN R-18', 'FRCNN w16', 40)):
        for method, shift in (('baseline', 0), ('ld', 2)):
            for seed in range(3):
                r = rec(method, seed, base + shift + seed)
                r.update(task='detection', dataset='coco', teacher=teacher,
                         student=student, metric='bbox_mAP',
                         val_curve=[[50, 1.0], [100, 2.0]])
                records.append(r)
    # a table alone on its dataset, whose runs validate once, after
    # training: short names, a forest plot and no curves plot
    for method, shift in (('baseline', 0), ('ld', 1)):
        r = dict(rec(method, 0, 0.0), task='detection', dataset='voc0712',
                 metric='mAP', teacher='T', student='S',
                 val_curve=[[100, 2.0]])
        records += [dict(r, seed=s, value=50 + shift + s % 2)
                    for s in range(3)]
    # a curves plot left by an earlier rendering of that table goes
    (tmp_path / 'det_voc0712_mini_curves.png').write_bytes(b'old')
    text = write_leaderboard(records, 'detection', 'D',
                             str(tmp_path / 'det.md'))
    names = sorted(p.name for p in tmp_path.glob('*_forest.png'))
    assert names == ['det_coco_mini_faster_r_cnn_r_18_to_frcnn_w16_forest.png',
                     'det_coco_mini_gfl_r_18_to_gfl_r_18_w16_forest.png',
                     'det_voc0712_mini_forest.png']
    names = names[:2]
    gfl = text.index('teacher GFL R-18 →')
    frcnn = text.index('teacher Faster R-CNN R-18 →')
    links = [text.index(f'({n})') for n in names]
    # each section links its own plot (the sections follow record order)
    assert gfl < links[1] < frcnn < links[0]
    assert (tmp_path / 'det_coco_mini_gfl_r_18_to_gfl_r_18_w16_curves.png'
            ).is_file()
    assert not list(tmp_path.glob('det_voc0712_*_curves.png'))
    voc = text[text.index('## voc0712'):]
    assert '(det_voc0712_mini_forest.png)' in voc
    assert 'No learning curves: the runs share fewer than two validation ' \
        'points' in voc
    assert 'No learning curves' not in text[:text.index('## voc0712')]


def test_plot_names_differ_for_tables_that_differ_only_in_metric():
    from kdbench.leaderboard.render import _plot_name
    keys = [('mini', 'coco', 'T', 'S', 'bbox_mAP'),
            ('mini', 'coco', 'T', 'S', 'AP50'), ('mini', 'voc', 'T', 'S', 'mAP')]
    assert [_plot_name(k, keys) for k in keys] == [
        'coco_mini_t_to_s_bbox_map', 'coco_mini_t_to_s_ap50', 'voc_mini']
