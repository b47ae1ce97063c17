"""tools/transfer.py end to end on a tiny transfer suite: a missing
pretraining run is reported with the command that makes it; a recorded one
is fine-tuned on the downstream task, recorded once with its source, and
shown in the matrix."""
import json
import os.path as osp

import pytest
import torch

from kdbench.compat import save_weights
from kdbench.distillers import build_model
from kdbench.leaderboard import append_record, read_records
from kdbench.leaderboard.runner import file_sha256

from conftest import REPO, run_tool

BASELINE = 'configs/tiny/baseline/mbv2-w0.35_1xb128-10e_canvas64-mini.py'
CLS = 'configs/transfer/cls/mbv2-w0.35_1xb64-20e_digits-mini.py'


def _suites(tmp_path):
    pre = tmp_path / 'tiny_pre.py'
    pre.write_text(f'''
task = 'tiny'
benchmark = 'test'
dataset = 'canvas'
metric = 'top1'
metric_key = 'accuracy/top1'
title = 'Tiny'
leaderboard = {str(tmp_path / 'tiny.md')!r}
seeds = [0]
teacher = dict(name='T', seed=0, config={BASELINE!r})
student = 'MobileNetV2 x0.35'
methods = dict(baseline={BASELINE!r})
''')
    transfer = tmp_path / 'transfer_test.py'
    transfer.write_text(f'''
benchmark = 'test'
title = 'Transfer'
leaderboard = {str(tmp_path / 'transfer.md')!r}
pretraining = {str(pre)!r}
methods = ['baseline']
seeds = [0]
validation_split = True
jobs = 2  # the side-by-side path, and the protocol keys passed on
threads = 1
cfg_options = {{'randomness.deterministic': True}}
tasks = dict(transfer_cls=dict(
    config={CLS!r}, dataset='optical_digits', metric='top1',
    metric_key='accuracy/top1',
    cfg_options={{'train_dataloader.dataset.indices': 64,
                  'val_dataloader.dataset.indices': 64,
                  'test_dataloader.dataset.indices': 100,
                  'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1,
                  'param_scheduler.1.end': 1}}))
''')
    return str(pre), str(transfer)


def test_transfer_runner_end_to_end(tmp_path, fmnist_ready):
    pre, suite = _suites(tmp_path)
    records = str(tmp_path / 'records.jsonl')
    work = str(tmp_path / 'work')
    cmd = ['tools/transfer.py', suite, '--records', records,
           '--work-root', work]
    missing = run_tool(cmd)
    assert missing.returncode == 1
    assert f'run `python tools/benchmark.py {pre}` first' in missing.stdout

    # a recorded pretraining run and its weights (a random tiny classifier)
    weights = osp.join(work, 'benchmarks', 'tiny_pre', 'baseline', 'seed0',
                       'weights.pth')
    save_weights(build_model(BASELINE, 'student').state_dict(), weights)
    append_record(records, dict(
        task='tiny', benchmark='test', dataset='canvas', method='baseline',
        config=BASELINE, teacher='T', student='S', seed=0, metric='top1',
        value=50.0, teacher_value=None, iters=1, train_s=1.0,
        s_per_iter=1.0, peak_mem_mb=1.0, commit='x', versions={},
        command='python tools/train.py', finished_at='2026-01-01',
        suite=osp.relpath(pre, REPO)))
    done = run_tool(cmd, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    rows = [r for r in read_records(records) if r['task'] == 'transfer_cls']
    assert len(rows) == 1
    row = rows[0]
    assert row['method'] == 'baseline' and row['seed'] == 0
    assert row['source']['sha256'] == file_sha256(weights)
    assert row['source']['weights'] == weights
    assert f'model.backbone.init_cfg.checkpoint={weights}' in row['command']
    assert 'randomness.deterministic=True' in row['command']
    assert (row['threads'], row['jobs']) == (1, 2)
    run_log = osp.join(work, 'benchmarks', 'transfer_test_transfer_cls',
                       'baseline', 'seed0', 'run.log')
    with open(run_log) as f:
        assert 'SliceableMobileNetV2: ' in f.read()  # the strict load ran
    # validation split: the record's value is the test split's, evaluated
    # once after training; the validation metric is kept beside it
    with open(osp.join(osp.dirname(run_log), 'result.json')) as f:
        result = json.load(f)
    assert row['value'] == pytest.approx(
        result['test_metrics']['accuracy/top1'])
    assert row['val_value'] == pytest.approx(
        result['metrics']['accuracy/top1'])
    assert 'test_after_train=True' in row['command']
    table = open(tmp_path / 'transfer.md').read()
    assert '| pretraining | top1 (optical_digits) |' in table
    assert f'| baseline | {row["value"]:.2f} ± 0.00 (1) |' in table

    again = run_tool(cmd)
    assert again.returncode == 0 and 'recorded' in again.stdout
    assert len([r for r in read_records(records)
                if r['task'] == 'transfer_cls']) == 1


def _record(**fields):
    base = dict(task='tiny', benchmark='test', dataset='canvas',
                method='baseline', config=BASELINE, teacher='T', student='S',
                seed=0, metric='top1', value=50.0, teacher_value=None,
                iters=1, train_s=1.0, s_per_iter=1.0, peak_mem_mb=1.0,
                commit='x', versions={}, command='python tools/train.py',
                finished_at='2026-01-01', suite='configs/pre.py')
    base.update(fields)
    return base


def test_matrix_keeps_only_fine_tunings_of_the_current_backbones():
    """A pretraining run re-made (new weights) leaves its old fine-tunings
    out of the matrix; the other seed's still count."""
    from kdbench.leaderboard.transfer import render_transfer_matrix
    records = [
        _record(seed=0, weights_sha256='old0', finished_at='2026-01-01'),
        _record(seed=1, weights_sha256='w1', finished_at='2026-01-01'),
        _record(seed=0, weights_sha256='w0', finished_at='2026-01-02'),
        # seed 2 exists only under an older version of the config
        _record(seed=2, weights_sha256='w2', config_sha256='old-config',
                finished_at='2026-01-01'),
    ]
    for r in records[:3]:
        r['config_sha256'] = 'now'
    for seed, sha, value, when in ((0, 'old0', 99.0, '2026-01-03'),
                                   (0, 'w0', 10.0, '2026-01-02'),
                                   (1, 'w1', 20.0, '2026-01-02'),
                                   (2, 'w2', 70.0, '2026-01-02')):
        records.append(_record(
            task='transfer_cls', dataset='digits', seed=seed, value=value,
            finished_at=when, suite='configs/transfer.py',
            config='configs/cls.py',
            source=dict(suite='configs/pre.py', method='baseline',
                        seed=seed, sha256=sha)))
    table = render_transfer_matrix(records, ['transfer_cls'], 'T',
                                   'configs/pre.py')
    # seeds 0 (from w0) and 1: mean 15, sample std 7.07
    assert '| baseline | 15.00 ± 7.07 (2) |' in table, table


def _runner_with_recorded_weights(tmp_path, **record_fields):
    """A transfer runner whose pretraining suite has one recorded baseline
    seed-0 run (``record_fields`` amend its record) and its weights.pth."""
    from kdbench.leaderboard.transfer import TransferRunner
    pre, suite = _suites(tmp_path)
    records = str(tmp_path / 'records.jsonl')
    work = str(tmp_path / 'work')
    weights = osp.join(work, 'benchmarks', 'tiny_pre', 'baseline', 'seed0',
                       'weights.pth')
    save_weights({'w': torch.zeros(2)}, weights)
    append_record(records, _record(suite=osp.relpath(pre, REPO),
                                   weights_sha256=file_sha256(weights),
                                   **record_fields))
    return TransferRunner(suite, records_path=records,
                          work_root=work), weights


def test_weights_that_are_not_the_recorded_run_are_refused(tmp_path):
    """weights.pth replaced after its run was recorded: the transfer runner
    stops with the command that re-makes the run."""
    from kdbench.leaderboard.transfer import MissingPretrainingError
    runner, weights = _runner_with_recorded_weights(tmp_path)
    assert runner.source('baseline', 0)['sha256'] == file_sha256(weights)
    save_weights({'w': torch.ones(2)}, weights)
    with pytest.raises(MissingPretrainingError,
                       match='--methods baseline --seeds 0 --rerun'):
        runner.source('baseline', 0)


def test_runs_of_an_older_pretraining_config_are_not_sources(tmp_path):
    """The pretraining config changed since its run was recorded (its
    weights.pth still on disk): the run is not a source, and the error
    names the command that makes the current one."""
    from kdbench.leaderboard.transfer import MissingPretrainingError
    runner, _ = _runner_with_recorded_weights(
        tmp_path, config_sha256='an-older-schedule')
    with pytest.raises(MissingPretrainingError,
                       match=r'older version.*--methods baseline --seeds 0`'):
        runner.source('baseline', 0)


def test_a_run_of_some_tasks_keeps_every_task_in_the_matrix(tmp_path):
    """`tools/transfer.py --tasks transfer_cls` re-renders the matrix with
    the suite's other tasks too: their recorded cells stay, a task with no
    runs yet shows '–'."""
    from kdbench.leaderboard.transfer import TransferRunner
    pre, _ = _suites(tmp_path)
    suite = tmp_path / 'transfer_two.py'
    suite.write_text(f'''
benchmark = 'test'
title = 'Transfer'
leaderboard = {str(tmp_path / 'transfer.md')!r}
pretraining = {pre!r}
methods = ['baseline']
seeds = [0]
tasks = dict(
    transfer_det=dict(config='configs/det.py', dataset='voc0712',
                      metric='AP50', metric_key='pascal_voc/mAP'),
    transfer_cls=dict(config={CLS!r}, dataset='optical_digits',
                      metric='top1', metric_key='accuracy/top1'))
''')
    records = str(tmp_path / 'records.jsonl')
    append_record(records, _record(suite=osp.relpath(pre, REPO),
                                   weights_sha256='w0'))
    append_record(records, _record(
        task='transfer_det', dataset='voc0712', metric='AP50', value=40.0,
        suite=str(suite), config='configs/det.py',
        source=dict(suite=pre, method='baseline', seed=0, sha256='w0')))
    runner = TransferRunner(str(suite), records_path=records,
                            work_root=str(tmp_path / 'work'),
                            tasks=['transfer_cls'])
    table = runner.render()
    assert '| pretraining | AP50 (voc0712) | transfer_cls |' in table, table
    assert '| baseline | 40.00 ± 0.00 (1) | – |' in table, table
    assert open(tmp_path / 'transfer.md').read() == table


def test_matrix_gives_each_task_deltas_with_paired_intervals(tmp_path):
    """Per task: Δ of each method against its reference on the shared
    seeds, with the paired t interval (computed here from the t quantile),
    the verdict, the MDE line and the forest plot beside the table."""
    import math
    import statistics

    from scipy import stats as sps

    from kdbench.leaderboard.transfer import render_transfer_matrix
    records = []
    values = dict(baseline=[50.0, 52.0, 51.0], netaug=[53.0, 54.5, 55.0],
                  kd=[49.0, 53.0, 51.5])
    for method, vals in values.items():
        sha = {}
        for seed, value in enumerate(vals):
            sha[seed] = f'{method}{seed}'
            records.append(_record(method=method, seed=seed,
                                   weights_sha256=sha[seed],
                                   config_sha256='now'))
            records.append(_record(
                task='transfer_cls', dataset='digits', method=method,
                seed=seed, value=value, paired=True,
                reference=None if method == 'baseline' else 'baseline',
                finished_at='2026-01-02', suite='configs/transfer.py',
                config='configs/cls.py', source=dict(
                    suite='configs/pre.py', method=method, seed=seed,
                    sha256=sha[seed])))
    table = render_transfer_matrix(records, ['transfer_cls'], 'T',
                                   'configs/pre.py',
                                   plot_stem=str(tmp_path / 'transfer'))
    diffs = [a - b for a, b in zip(values['netaug'], values['baseline'])]
    mean = statistics.fmean(diffs)
    half = sps.t.ppf(0.975, 2) * statistics.stdev(diffs) / math.sqrt(3)
    assert (f'| netaug | 3 | 54.17 ± 1.04 | baseline | {mean:+.2f} '
            f'[{mean - half:+.2f}, {mean + half:+.2f}] | better |') in table
    assert '| kd | 3 | 51.17 ± 2.02 | baseline | ' in table
    assert 'no detectable difference |' in table
    assert '| baseline | 3 | 51.00 ± 1.00 | – | – | – |' in table
    assert 'Minimum detectable effect: **' in table
    assert osp.isfile(tmp_path / 'transfer_transfer_cls_forest.png')
    assert '(transfer_transfer_cls_forest.png)' in table
