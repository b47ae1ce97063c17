"""Bad input and broken runs end in one actionable line (exit 2), a
diverged run is never a score, no pickle is trusted for its directory, and
the benchmark runner neither runs twice on a suite nor leaves trainers
behind."""
import json
import os
import os.path as osp
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import torch

from kdbench.leaderboard import read_records

from conftest import (BASELINE_CFG, KD_CFG, REPO, TEACHER_MODEL, TINY_OPTIONS,
                      run_tool, tiny_suite, wait_until)

LD_CFG = 'configs/det/ld/ld-vlr_gfl_r18_gfl_r18-w16_1xb8-4e_coco-mini.py'


def one_line_error(proc, *fragments):
    """exit 2 and a single ``kdbench: error:`` line holding ``fragments``."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    # the libraries' own warnings may precede it; the error is one line
    lines = [line for line in proc.stderr.splitlines()
             if line.startswith('kdbench: error: ')]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1 and proc.stderr.rstrip().endswith(lines[0]), \
        proc.stderr[-3000:]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def train(config, work, *options, env=None):
    return run_tool(['tools/train.py', config, '--work-dir', str(work),
                     '--cfg-options', *TINY_OPTIONS, *options], env=env)


# ------------------------------------------------------- config mistakes
@pytest.mark.parametrize('option, fragments', [
    ('model.type=kdbench.SingleTeacherDistill',
     ["Unknown model type 'kdbench.SingleTeacherDistill'",
      'kdbench.SingleTeacherDistiller',
      # which packages are scanned, and what to do for a class elsewhere
      'kdbench.cls, kdbench.connectors, kdbench.det, kdbench.distillers, '
      'kdbench.losses, kdbench.seg, kdbench.teacher_cache, kdbench.tiny',
      'custom_imports=']),
    ('model.distill_losses.kd.type=kdbench.KDLos',
     ["'kdbench.KDLos'", 'closest: kdbench.KDLoss']),
    ('model.distill_losses.kd.taux=2',
     ["KDLoss", "'taux'", "did you mean 'tau'"]),
    ('foo.bar=1', ["--cfg-options foo.bar", "no top-level key 'foo'"]),
    ('model.distill_losses.kd.tau=-1', ['KDLoss: tau must be']),
])
def test_config_mistakes_are_one_line(option, fragments, tmp_path,
                                      random_teacher_ckpt):
    proc = train(KD_CFG, tmp_path / 'w', option,
                 f'model.teacher_checkpoint={random_teacher_ckpt}')
    one_line_error(proc, *fragments)


@pytest.mark.parametrize('option, fragments', [
    ('model.backbone.dept=18',
     ["ResNet has no argument 'dept'", "did you mean 'depth'"]),
])
def test_plain_model_config_mistakes_are_one_line(option, fragments,
                                                  tmp_path):
    proc = train(BASELINE_CFG, tmp_path / 'w', option)
    one_line_error(proc, *fragments)


def test_cfg_option_into_a_path_valued_key_is_one_line(tmp_path,
                                                       random_teacher_ckpt):
    """The KD config names its student by a config path: a nested option
    under it cannot be merged."""
    proc = train(KD_CFG, tmp_path / 'w', 'model.student.backbone.depth=18',
                 f'model.teacher_checkpoint={random_teacher_ckpt}')
    one_line_error(proc, '--cfg-options', 'model.student')


def test_malformed_cfg_options_item_is_one_line(tmp_path):
    proc = run_tool(['tools/train.py', BASELINE_CFG, '--work-dir',
                     str(tmp_path), '--cfg-options', 'train_cfg'])
    one_line_error(proc, "'train_cfg' is not key=value")


def test_unknown_ld_loss_type_is_one_line(tmp_path, random_gfl_teacher,
                                         offline_gfl_student):
    proc = run_tool(['tools/train.py', LD_CFG, '--work-dir', str(tmp_path),
                     '--cfg-options', 'model.ld.type=mmdet.KnowledgeDistill'
                     'ationKLDivLos',
                     f'model.teacher_checkpoint={random_gfl_teacher}',
                     f'model.student={offline_gfl_student}'])
    one_line_error(proc, "'mmdet.KnowledgeDistillationKLDivLos'",
                   'KnowledgeDistillationKLDivLoss')


def test_fewer_classes_than_labels_is_one_line(tmp_path, fmnist_ready):
    proc = train(BASELINE_CFG, tmp_path / 'w', 'model.head.num_classes=5')
    one_line_error(proc, 'outside the classes', 'num_classes')


def test_class_count_mismatch_names_the_class_sets(tmp_path):
    """KD between 10 and 12 classes: the fix is the class sets, not a
    connector (which would distil remapped scores)."""
    import kdbench  # noqa: F401
    from mmengine.config import Config

    from kdbench.compat import save_weights
    from kdbench.distillers import ShapeMismatchError, build_model
    from kdbench.registry import MODELS
    teacher_cfg = Config.fromfile(osp.join(REPO, TEACHER_MODEL)).model
    teacher_cfg.head.num_classes = 12
    teacher = build_model(teacher_cfg.to_dict(), 'teacher')
    ckpt = str(tmp_path / 'teacher12.pth')
    save_weights(teacher.state_dict(), ckpt)
    cfg = Config.fromfile(osp.join(REPO, KD_CFG)).model
    cfg.teacher = teacher_cfg.to_dict()
    cfg.teacher_checkpoint = ckpt
    model = MODELS.build(cfg)
    inputs = torch.zeros(2, 1, 28, 28)
    from mmpretrain.structures import DataSample
    samples = [DataSample().set_gt_label(1) for _ in range(2)]
    with pytest.raises(ShapeMismatchError) as err:
        model.loss(inputs, samples)
    message = str(err.value)
    assert 'predicts 10 classes and the teacher 12' in message
    assert 'LinearAdapter' not in message


# ------------------------------------------------------------ bad data
def _copy_fmnist(tmp_path):
    root = tmp_path / 'fmnist'
    shutil.copytree(osp.join(REPO, 'data', 'fashion_mnist'), root)
    return root


def test_truncated_idx_file_is_one_line(tmp_path, fmnist_ready):
    root = _copy_fmnist(tmp_path)
    images = root / 'train-images-idx3-ubyte'
    with open(images, 'r+b') as f:
        f.truncate(osp.getsize(images) // 2)
    proc = train(BASELINE_CFG, tmp_path / 'w',
                 f'train_dataloader.dataset.data_root={root}')
    one_line_error(proc, 'train-images-idx3-ubyte', 'truncated',
                   'make data')


def _mini_coco_copy(tmp_path):
    src = osp.join(REPO, 'data', 'mini_coco')
    if not osp.isdir(src):
        pytest.fail('data/mini_coco is missing: run `make data`.')
    root = tmp_path / 'coco'
    shutil.copytree(src, root)
    return root


DET_TINY = ['train_dataloader.batch_size=2', 'train_cfg.max_epochs=1',
            'val_dataloader.dataset.indices=2', 'param_scheduler.1.end=1',
            'default_hooks.logger.interval=1']


def test_coco_file_without_annotations_is_one_line(tmp_path,
                                                   random_gfl_teacher,
                                                   offline_gfl_student):
    root = _mini_coco_copy(tmp_path)
    ann = root / 'annotations' / 'instances_train2017.json'
    data = json.loads(ann.read_text())
    data['annotations'] = []
    ann.write_text(json.dumps(data))
    proc = run_tool(['tools/train.py', LD_CFG, '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options', *DET_TINY,
                     f'train_dataloader.dataset.data_root={root}/',
                     f'model.teacher_checkpoint={random_gfl_teacher}',
                     f'model.student={offline_gfl_student}'])
    one_line_error(proc, 'has no samples', 'instances_train2017.json')


def test_corrupt_image_is_one_line(tmp_path, random_gfl_teacher,
                                   offline_gfl_student):
    root = _mini_coco_copy(tmp_path)
    images = sorted((root / 'train2017').iterdir())
    data = json.loads((root / 'annotations' /
                       'instances_train2017.json').read_text())
    first = {img['id']: img['file_name'] for img in data['images']}
    annotated = sorted({first[a['image_id']] for a in data['annotations']})
    broken = root / 'train2017' / annotated[0]
    assert broken in images
    broken.write_bytes(b'not an image at all')
    proc = run_tool(['tools/train.py', LD_CFG, '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options', *DET_TINY,
                     'train_dataloader.dataset.indices=2',
                     f'train_dataloader.dataset.data_root={root}/',
                     f'model.teacher_checkpoint={random_gfl_teacher}',
                     f'model.student={offline_gfl_student}'])
    one_line_error(proc, annotated[0], 'not a readable image')


# -------------------------------------------------- diverged training
def test_diverged_training_stops_and_writes_no_weights(tmp_path,
                                                       fmnist_ready):
    work = tmp_path / 'w'
    proc = train(BASELINE_CFG, work, 'optim_wrapper.optimizer.lr=1e12')
    line = one_line_error(proc, 'Training diverged at iteration',
                          'non-finite gradients', "action='skip'")
    assert not (work / 'weights.pth').exists()
    assert 'loss' in line


def test_skip_mode_skips_bad_steps_and_still_fails_a_broken_run(
        tmp_path, fmnist_ready):
    """action='skip' drops the bad steps (logged); a run that keeps
    diverging still ends as an error (max_skips, or weights that are not
    finite), never as weights.pth."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, BASELINE_CFG))
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h['type'] != 'kdbench.FiniteTrainingHook'] + [
        dict(type='kdbench.FiniteTrainingHook', action='skip', max_skips=1)]
    path = str(tmp_path / 'skip.py')
    cfg.dump(path)
    work = tmp_path / 'w'
    proc = train(path, work, 'optim_wrapper.optimizer.lr=1e12')
    line = one_line_error(proc)
    assert 'diverged' in line, line
    assert 'Step skipped (1 of at most 1)' in proc.stdout + proc.stderr
    assert not (work / 'weights.pth').exists()


def test_finite_hook_skips_exactly_the_bad_step():
    """In process: a step whose gradient is NaN changes no weight and the
    next finite step is applied."""
    from types import SimpleNamespace

    from mmengine.optim import OptimWrapper

    from kdbench.engine.hooks import FiniteTrainingHook
    net = torch.nn.Linear(3, 1)
    wrapper = OptimWrapper(torch.optim.SGD(net.parameters(), lr=0.1))
    runner = SimpleNamespace(
        model=SimpleNamespace(parse_losses=lambda losses: (None, losses)),
        optim_wrapper=wrapper, iter=0,
        logger=SimpleNamespace(warning=lambda msg: None))
    hook = FiniteTrainingHook(action='skip')
    hook.before_train(runner)
    before = net.weight.detach().clone()
    wrapper.update_params(net(torch.full((1, 3), float('nan'))).sum())
    assert torch.equal(net.weight, before) and hook.skipped == 1
    wrapper.update_params(net(torch.ones(1, 3)).sum())
    assert not torch.equal(net.weight, before)
    # a parameter scheduler built afterwards (as BornAgainHook builds one
    # per generation) wraps the guarded step with its counter
    from mmengine.optim import CosineAnnealingLR
    scheduler = CosineAnnealingLR(wrapper, T_max=4, by_epoch=False)
    wrapper.update_params(net(torch.ones(1, 3)).sum())
    scheduler.step()
    assert wrapper.optimizer.param_groups[0]['lr'] < 0.1


# ----------------------------------------------------- the runner side
def test_runner_records_a_diverged_run_as_failed(tmp_path, fmnist_ready,
                                                 random_teacher_ckpt):
    diverging = tmp_path / 'diverging.py'
    diverging.write_text(f'_base_ = [{osp.join(REPO, BASELINE_CFG)!r}]\n'
                         f'optim_wrapper = dict(optimizer=dict(lr=1e12))\n')
    suite = tiny_suite(tmp_path, 'suite_rel', dict(baseline=BASELINE_CFG,
                                                 diverged=str(diverging)),
                       seeds=[0])
    records = str(tmp_path / 'records.jsonl')
    cmd = ['tools/benchmark.py', suite, '--records', records, '--work-root',
           str(tmp_path / 'work'), '--teacher', random_teacher_ckpt]
    proc = run_tool(cmd, timeout=900)
    out = proc.stdout + proc.stderr
    rows = [r for r in read_records(records) if r['method'] == 'diverged']
    assert len(rows) == 1, out[-3000:]
    for r in rows:
        assert r['status'] == 'failed' and r['value'] is None
        assert r['error'].startswith('Training diverged at iteration')
    table = (tmp_path / 'suite_rel.md').read_text()
    assert '| diverged |' not in table  # no score row
    assert '**Failed runs**' in table
    assert '- diverged (no run of it gave a result): seed 0: ' \
        'Training diverged' in table
    # a failed run is tried again, a finished one is not
    again = run_tool(cmd, timeout=900)
    assert 'diverged seed 0: training' in again.stdout, again.stdout[-3000:]
    assert 'baseline seed 0: recorded' in again.stdout, again.stdout[-3000:]
    assert len([r for r in read_records(records)
                if r['method'] == 'diverged']) == 2


def _trainers_in(work_root):
    """pids of live tools/train.py processes working under ``work_root``."""
    pids = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmdline = f.read().decode(errors='replace')
        except OSError:
            continue
        if 'tools/train.py' in cmdline and str(work_root) in cmdline:
            pids.append(int(pid))
    return pids


def test_one_runner_per_suite_and_no_orphans(tmp_path, fmnist_ready,
                                             random_teacher_ckpt):
    suite = tiny_suite(tmp_path, 'suite_rel', dict(baseline=BASELINE_CFG),
                       {'train_cfg.max_epochs': 50,
                        'param_scheduler.1.end': 50})
    work = tmp_path / 'work'
    cmd = [sys.executable, 'tools/benchmark.py', suite, '--records',
           str(tmp_path / 'records.jsonl'), '--work-root', str(work),
           '--teacher', random_teacher_ckpt]
    first = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while not _trainers_in(work):
            assert first.poll() is None and time.time() < deadline
            time.sleep(0.2)
        second = run_tool(cmd[1:])
        one_line_error(second, 'suite_rel', 'in use by another process',
                       str(first.pid))
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    wait_until(lambda: not _trainers_in(work), 30,
               'the trainer outlived its runner')


# ------------------------------------------------------ pickle trust
def _malicious_pickle(path, marker):
    class Evil:
        def __reduce__(self):
            return (os.system, (f'touch {marker}',))
    torch.save({'state_dict': {}, 'meta': Evil()}, str(path))


def test_pickle_in_work_dir_is_not_resumed(tmp_path, fmnist_ready):
    work = tmp_path / 'w'
    work.mkdir()
    marker = tmp_path / 'pwned'
    _malicious_pickle(work / 'epoch_1.pth', marker)
    (work / 'last_checkpoint').write_text(str(work / 'epoch_1.pth'))
    proc = run_tool(['tools/train.py', BASELINE_CFG, '--work-dir', str(work),
                     '--resume', '--cfg-options', *TINY_OPTIONS])
    one_line_error(proc, 'epoch_1.pth', 'pickled')
    assert not marker.exists()


def test_test_tool_does_not_trust_its_default_work_dir(tmp_path):
    """tools/test.py without --work-dir works in ./work_dirs/<config>/; a
    pickle there is refused like any other."""
    cwd = tmp_path / 'checkout'
    shutil.copytree(osp.join(REPO, 'configs'), cwd / 'configs')
    default = cwd / 'work_dirs' / 'r18-w8_1xb64-3e_fmnist-mini'
    default.mkdir(parents=True)
    marker = tmp_path / 'pwned'
    _malicious_pickle(default / 'model.pth', marker)
    proc = run_tool([osp.join(REPO, 'tools', 'test.py'), BASELINE_CFG,
                     str(default / 'model.pth')], cwd=str(cwd))
    one_line_error(proc, 'model.pth', 'pickled')
    assert not marker.exists()


def test_named_resume_file_is_trusted_once(tmp_path, fmnist_ready):
    """--resume PATH trusts that file (the user named it)."""
    work = tmp_path / 'w'
    done = train(BASELINE_CFG, work)
    assert done.returncode == 0, done.stderr[-2000:]
    copy = tmp_path / 'elsewhere.pth'
    shutil.copy(work / 'epoch_1.pth', copy)
    other = tmp_path / 'w2'
    proc = run_tool(['tools/train.py', BASELINE_CFG, '--work-dir', str(other),
                     '--resume', str(copy), '--cfg-options',
                     *[o for o in TINY_OPTIONS if 'max_epochs' not in o
                       and 'scheduler' not in o], 'train_cfg.max_epochs=2'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resumed epoch: 1' in proc.stdout + proc.stderr


# ------------------------------------------------------ records files
def test_corrupt_records_line_is_one_line(tmp_path):
    records = tmp_path / 'other.jsonl'
    records.write_text('{"task": "classification"}\n{not json\n')
    proc = run_tool(['tools/leaderboard.py', '--records', str(records),
                     '--out', '-'])
    one_line_error(proc, 'other.jsonl:2', 'not a JSON record')


def test_table_names_the_records_file_it_was_rendered_from(tmp_path):
    records = tmp_path / 'other.jsonl'
    records.write_text('')
    out = tmp_path / 'table.md'
    proc = run_tool(['tools/leaderboard.py', '--records', str(records),
                     '--out', str(out)])
    assert proc.returncode == 0, proc.stderr
    assert f'from `{records}`' in out.read_text()
    assert 'leaderboards/records.jsonl' not in out.read_text()


def test_leaderboard_names_a_missing_records_file(tmp_path):
    proc = run_tool(['tools/leaderboard.py', '--records',
                     str(tmp_path / 'none.jsonl'), '--out', '-'])
    one_line_error(proc, 'none.jsonl: no such file')


def test_idx_check_names_each_kind_of_broken_file(tmp_path):
    """Not an idx file, a header cut short, a body of the wrong length;
    an intact file passes."""
    import numpy as np

    from kdbench.datasets.fashion_mnist import DataFileError, check_idx_file
    good = bytes([0, 0, 8, 2]) + (3).to_bytes(4, 'big') + \
        (2).to_bytes(4, 'big') + bytes(range(6))
    cases = {'good': good, 'text': b'hello world', 'cut': good[:6],
             'short': good[:-1]}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    check_idx_file(str(tmp_path / 'good'))
    for name, fragment in (('text', 'is not an idx file'),
                           ('cut', 'its header is cut'),
                           ('short', 'holds 17 bytes where its header '
                            '([3, 2]) needs 18')):
        with pytest.raises(DataFileError, match=re.escape(fragment)):
            check_idx_file(str(tmp_path / name))
    assert np.frombuffer(good[12:], np.uint8).reshape(3, 2)[2, 1] == 5
