"""The benchmark runner's protocol with the training stubbed out: tuning
on the validation split, the chosen setting for the reported seeds,
matched references, refused suites, parallel jobs, and a leaderboard that
keeps its rows when another machine retrains the teacher."""
import shlex

import pytest

from kdbench.leaderboard import read_records
from kdbench.leaderboard.render import render_markdown, write_leaderboard

from conftest import BASELINE_CFG, KD_CFG

LR = 'optim_wrapper.optimizer.lr'


def write_suite(tmp_path, **extra):
    lines = dict(
        task='classification', benchmark='test', dataset='fashion_mnist',
        metric='top1', metric_key='accuracy/top1', title='T',
        leaderboard=str(tmp_path / 'table.md'), seeds=[0, 1, 2],
        threads=1, paired=True, validation_split=True,
        teacher=dict(name='T', seed=0, config='configs/cls/teacher/'
                     'r18-w16_1xb128-30e_fmnist-mini.py'),
        student='S',
        methods=dict(baseline=BASELINE_CFG, kd=KD_CFG,
                     baseline_long=BASELINE_CFG),
        tuning=dict(seed=100, grid={LR: [0.05, 0.1, 0.2]}))
    lines.update(extra)
    path = tmp_path / 'suite.py'
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in lines.items()))
    return str(path)


def fake_train(calls):
    """A stand-in for BenchmarkRunner._train: the validation top-1 peaks
    at lr 0.1 for the baseline and 0.2 for kd; the test top-1 is the
    validation's + seed / 10 (+ 5 for kd)."""
    def train(config, work_dir, seed, options, label, teacher_id=None):
        lr = float(options.get(LR, 0.1))
        kd = config == KD_CFG
        val = 70 - 100 * (lr - (0.2 if kd else 0.1)) ** 2 + (3 if kd else 0)
        test = val + seed / 10 + (2 if kd else 0)
        calls.append(dict(config=config, seed=seed, options=dict(options),
                          teacher_id=teacher_id))
        result = dict(metrics={'accuracy/top1': val}, iters=10,
                      train_s=2.0 if kd else 1.0, s_per_iter=0.1,
                      train_cpu_s=2.0 if kd else 1.0, other_cpu_cores=0.0,
                      peak_mem_mb=10.0, seed=seed,
                      val_history=[dict(iter=5, metrics={
                          'accuracy/top1': val - 5}),
                          dict(iter=10, metrics={'accuracy/top1': val})],
                      command=shlex.join(['python', 'tools/train.py', config,
                                          '--cfg-options',
                                          *[f'{k}={v}' for k, v in
                                            {'randomness.seed': seed,
                                             **options}.items()]]))
        if options.get('test_after_train'):
            result['test_metrics'] = {'accuracy/top1': test}
        return result
    return train


def make_runner(suite, tmp_path, monkeypatch, calls, **kwargs):
    from kdbench.leaderboard.runner import BenchmarkRunner
    runner = BenchmarkRunner(suite, records_path=str(tmp_path / 'r.jsonl'),
                             work_root=str(tmp_path / 'work'), **kwargs)
    monkeypatch.setattr(runner, 'teacher',
                        lambda: (str(tmp_path / 't.pth'), 90.0, 'wsha'))
    monkeypatch.setattr(runner, '_train', fake_train(calls))
    return runner


def test_tuning_on_validation_then_seeds_on_test(tmp_path, monkeypatch):
    calls = []
    suite = write_suite(tmp_path, reference=dict(kd='baseline'))
    runner = make_runner(suite, tmp_path, monkeypatch, calls)
    assert runner.run() == 0
    tune = [c for c in calls if c['seed'] == 100]
    assert len(tune) == 9  # 3 methods x 3 settings
    # tuning never evaluates the test split
    assert all(c['options']['test_after_train'] is False for c in tune)
    seeds = [c for c in calls if c['seed'] != 100]
    assert all(c['options']['test_after_train'] is True for c in seeds)
    chosen = {c['config']: c['options'][LR] for c in seeds}
    assert chosen == {BASELINE_CFG: 0.1, KD_CFG: 0.2}
    # seed-major order: every method's seed 0 before any seed 1
    assert [c['seed'] for c in seeds] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    records = read_records(str(tmp_path / 'r.jsonl'))
    tuned = [r for r in records if r['phase'] == 'tune']
    assert len(tuned) == 9 and all(r['seed'] == 100 for r in tuned)
    kd = [r for r in records if r['method'] == 'kd' and r['phase'] == 'test']
    assert [r['value'] for r in kd] == pytest.approx([75.0, 75.1, 75.2])
    assert kd[0]['tuned'] == {LR: 0.2}
    assert [s['value'] for s in kd[0]['tuning']['sweep']] == pytest.approx(
        [70 - 100 * 0.15 ** 2 + 3, 70 - 100 * 0.1 ** 2 + 3, 73.0])
    assert kd[0]['reference'] == 'baseline' and kd[0]['threads'] == 1
    assert kd[0]['teacher_id'].startswith('config:')
    assert kd[0]['val_curve'] == [[5, 68.0], [10, 73.0]]
    # every call of the kd method names the teacher by its config
    assert {c['teacher_id'] for c in calls if c['config'] == KD_CFG} == {
        kd[0]['teacher_id']}

    # a second run finds everything recorded
    calls.clear()
    runner = make_runner(suite, tmp_path, monkeypatch, calls)
    assert runner.run() == 0 and calls == []

    text = render_markdown(records, 'classification', 'T')
    row = next(line for line in text.splitlines()
               if line.startswith('| kd |'))
    cells = [c.strip() for c in row.split('|')]
    # n, mean, vs, Δ [CI], verdict, tuned
    assert cells[2] == '3' and cells[3] == '75.10 ± 0.10'
    assert cells[4] == 'baseline' and cells[5].startswith('+5.00 [+5.00,')
    # kd's best, 0.2, is the top of the grid 0.05-0.2: marked
    assert cells[6] == 'better' and cells[7] == 'lr=0.2 (edge)'
    # the suite's grid has grown since the seeds were recorded (and chose
    # 0.2 again): judged against the current grid, 0.2 is inside it
    grown = render_markdown(records, 'classification', 'T', grids=dict(
        kd={LR: [0.05, 0.1, 0.2, 0.4]}))
    row = next(line for line in grown.splitlines()
               if line.startswith('| kd |'))
    assert row.split('|')[7].strip() == 'lr=0.2'
    assert '(edge): the chosen setting is the first or last value of ' \
        'its grid (kd)' in text
    assert 'Minimum detectable effect' in text


def test_a_retrained_teacher_elsewhere_keeps_the_rows(tmp_path, monkeypatch):
    """A fresh machine retrains the teacher from the same config: other
    weights, the same teacher identity, so recorded runs are neither
    re-run nor dropped from the table."""
    calls = []
    suite = write_suite(tmp_path, tuning=None)
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         methods=['baseline', 'kd'])
    assert runner.run() == 0
    calls.clear()
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         methods=['baseline', 'kd'])
    monkeypatch.setattr(runner, 'teacher',
                        lambda: (str(tmp_path / 'new.pth'), 89.9, 'other'))
    assert runner.run() == 0 and calls == []
    records = read_records(str(tmp_path / 'r.jsonl'))
    # a newcomer's method run with their own teacher weights
    from kdbench.leaderboard.records import append_record
    new = dict(next(r for r in records if r['method'] == 'kd'),
               method='newkd', teacher_sha256='other',
               finished_at='9999')
    append_record(str(tmp_path / 'r.jsonl'), new)
    text = render_markdown(read_records(str(tmp_path / 'r.jsonl')),
                           'classification', 'T')
    assert '| kd | 3 |' in text and '| newkd | 1 |' in text


@pytest.mark.parametrize('extra,message', [
    (dict(validation_split=False), 'no validation split'),
    (dict(tuning=dict(seed=1, grid={LR: [0.1]})), 'one of the reported'),
    (dict(tuning=dict(grid={LR: [0.1]})), 'needs a `seed`'),
    (dict(tuning=dict(seed=100, grid={LR: [0.1]}, method_grids=dict(
        kd={LR: [0.1, 0.2]}))), 'tuning advantage'),
    (dict(reference=dict(kd='nope')), 'does not have'),
    (dict(comparisons=[('kd', 'nope')]), 'not a pair of methods'),
    (dict(comparisons=[('kd',)]), 'not a pair of methods'),
    (dict(comparisons=[3]), 'not a pair of methods'),
])
def test_suites_that_break_the_protocol_are_refused(tmp_path, extra,
                                                     message):
    from kdbench.leaderboard.runner import BenchmarkRunner
    with pytest.raises(ValueError, match=message):
        BenchmarkRunner(write_suite(tmp_path, **extra),
                        records_path=str(tmp_path / 'r.jsonl'))


def test_tied_grid_keys_and_parallel_jobs(tmp_path, monkeypatch):
    calls = []
    suite = write_suite(tmp_path, tuning=dict(
        seed=100, grid={LR: [0.1, 0.2]},
        method_grids=dict(kd={f'{LR}|model.student_loss_weight': [
            0.1, 0.2]})))
    runner = make_runner(suite, tmp_path, monkeypatch, calls, jobs=2)
    assert runner.grid_points('kd') == [
        {LR: 0.1, 'model.student_loss_weight': 0.1},
        {LR: 0.2, 'model.student_loss_weight': 0.2}]
    assert runner.run() == 0
    assert len(calls) == 6 + 9
    records = read_records(str(tmp_path / 'r.jsonl'))
    assert sorted((r['method'], r['seed']) for r in records
                  if r['phase'] == 'test') == sorted(
        (m, s) for m in ('baseline', 'kd', 'baseline_long')
        for s in (0, 1, 2))


def test_paired_grid_keys_move_together(tmp_path):
    """'a,b' takes pairs (an lr and the clipping norm that keeps their
    product); a value that is not a pair of the right length is refused
    when the suite is read."""
    from kdbench.leaderboard.runner import BenchmarkRunner
    clip = 'optim_wrapper.clip_grad.max_norm'
    suite = write_suite(tmp_path, tuning=dict(
        seed=100, grid={LR: [0.1, 0.2, 0.4]},
        method_grids=dict(kd={f'{LR},{clip}': [(0.1, 4.0), (0.2, 2.0)]})))
    runner = BenchmarkRunner(suite, records_path=str(tmp_path / 'r.jsonl'))
    assert runner.grid_points('kd') == [{LR: 0.1, clip: 4.0},
                                        {LR: 0.2, clip: 2.0}]
    bad = write_suite(tmp_path, tuning=dict(
        seed=100, grid={LR: [0.1, 0.2]},
        method_grids=dict(kd={f'{LR},{clip}': [0.1, 0.2]})))
    with pytest.raises(ValueError, match='must be a list of 2'):
        BenchmarkRunner(bad, records_path=str(tmp_path / 'r.jsonl'))


def test_leaderboard_files_and_plots(tmp_path, monkeypatch):
    calls = []
    suite = write_suite(tmp_path)
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         leaderboard_path=str(tmp_path / 'out' / 'cls.md'))
    assert runner.run() == 0
    out = tmp_path / 'out'
    text = (out / 'cls.md').read_text()
    forest = out / 'cls_fashion_mnist_test_forest.png'
    curves = out / 'cls_fashion_mnist_test_curves.png'
    assert forest.stat().st_size > 1000 and curves.stat().st_size > 1000
    assert f'({forest.name})' in text and f'({curves.name})' in text
    # the table names the records file it was written from
    assert 'r.jsonl' in text
    # re-rendering from the same records gives the same table
    again = write_leaderboard(read_records(str(tmp_path / 'r.jsonl')),
                              'classification', 'T', str(out / 'cls.md'),
                              str(tmp_path / 'r.jsonl'))
    assert again == text


def test_failed_settings_and_seeds_are_recorded_never_scored(tmp_path,
                                                            monkeypatch):
    """kd diverges at lr 0.2 (its best setting otherwise) and baseline at
    seed 1: the failed setting is recorded as failed and is not a
    candidate (and is not trained again); the failed seed is recorded,
    listed under the table, left out of n and the paired Δ, and retried
    by the next run."""
    from kdbench.leaderboard.runner import RunFailed
    calls = []
    suite = write_suite(tmp_path, reference=dict(kd='baseline'),
                        methods=dict(baseline=BASELINE_CFG, kd=KD_CFG))
    runner = make_runner(suite, tmp_path, monkeypatch, calls)
    train = fake_train(calls)

    def failing(config, work_dir, seed, options, label, teacher_id=None):
        if config == KD_CFG and float(options.get(LR)) == 0.2:
            raise RunFailed('diverged', 'Training diverged at iteration 3',
                            'python tools/train.py x --cfg-options '
                            f'randomness.seed={seed} {LR}=0.2 '
                            'test_after_train=False')
        if config == BASELINE_CFG and seed == 1:
            raise RunFailed('crashed', 'exit 1: boom')
        return train(config, work_dir, seed, options, label, teacher_id)

    monkeypatch.setattr(runner, '_train', failing)
    runner.run()
    records = read_records(str(tmp_path / 'r.jsonl'))
    failed = [r for r in records if r.get('status') == 'failed']
    assert sorted((r['method'], r['phase'], r['seed']) for r in failed) == [
        ('baseline', 'test', 1), ('kd', 'tune', 100)]
    assert all(r['value'] is None for r in failed)
    kd = [r for r in records if r['method'] == 'kd' and r['phase'] == 'test']
    assert {r['tuned'][LR] for r in kd} == {0.1}  # best of what finished
    assert [s['value'] for s in kd[0]['tuning']['sweep']][1:] == [
        pytest.approx(70 - 100 * 0.1 ** 2 + 3), None]

    text = render_markdown(records, 'classification', 'T')
    row = next(line for line in text.splitlines()
               if line.startswith('| baseline |'))
    assert row.split('|')[2].strip() == '2 (+1 failed)'
    assert '- baseline: seed 1: exit 1: boom' in text
    kd_row = next(line for line in text.splitlines()
                  if line.startswith('| kd |'))
    assert '[' in kd_row.split('|')[5]  # paired over seeds 0 and 2

    # the next run: the failed seed is tried again, the failed setting not
    calls.clear()
    runner = make_runner(suite, tmp_path, monkeypatch, calls)
    assert runner.run() == 0
    assert [(c['config'], c['seed']) for c in calls] == [(BASELINE_CFG, 1)]


def test_shared_tuning_trains_at_the_source_setting(tmp_path, monkeypatch):
    """A method in ``tuning.share`` is not tuned: it trains with the
    setting chosen for its source (the source is tuned even when only the
    sharing method is asked for), and its row says so."""
    calls = []
    # kd2 is the kd config under another name (another implementation):
    # alone, the fake training would tune it to kd's 0.2 as well, so the
    # test asks the baseline's setting of it to see the source decide
    suite = write_suite(tmp_path, methods=dict(
        baseline=BASELINE_CFG, kd=KD_CFG, base2=KD_CFG),
        tuning=dict(seed=100, grid={LR: [0.05, 0.1, 0.2]},
                    share=dict(base2='baseline')))
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         methods=['base2'])
    assert runner.run() == 0
    tune = [c for c in calls if c['seed'] == 100]
    # only the source (the baseline) was tuned, nothing of base2 itself
    assert len(tune) == 3 and {c['config'] for c in tune} == {BASELINE_CFG}
    seeds = [c for c in calls if c['seed'] != 100]
    assert {c['config'] for c in seeds} == {KD_CFG}
    # the baseline's best lr (0.1), not the 0.2 kd's curve would pick
    assert {c['options'][LR] for c in seeds} == {0.1}
    records = read_records(str(tmp_path / 'r.jsonl'))
    base2 = [r for r in records if r['method'] == 'base2']
    assert base2[0]['tuning']['shared_from'] == 'baseline'
    assert all(r['tuned'] == {LR: 0.1} for r in base2)
    text = render_markdown(records, 'classification', 'T')
    assert 'lr=0.1 (as baseline)' in text and 'base2 as baseline' in text
    # a second run finds everything recorded
    calls.clear()
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         methods=['base2'])
    assert runner.run() == 0 and calls == []
    # --rerun of the sharing method retrains its seeds, not its source's
    # tuning
    calls.clear()
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         methods=['base2'], rerun=True)
    assert runner.run() == 0
    assert [c['seed'] for c in calls] == [0, 1, 2]
    records = read_records(str(tmp_path / 'r.jsonl'))
    base2 = [r for r in records if r['method'] == 'base2']
    # the source's own row, at another setting (re-tuned since): stale
    from kdbench.leaderboard.records import append_record
    for r in base2:
        append_record(str(tmp_path / 'r.jsonl'),
                      dict(r, method='baseline', config=BASELINE_CFG,
                           tuned={LR: 0.2}, tuning=None))
    text = render_markdown(read_records(str(tmp_path / 'r.jsonl')),
                           'classification', 'T')
    assert 'lr=0.1 (as baseline: stale)' in text
    assert 're-tuned to another setting since these runs (base2)' in text


def test_a_source_whose_tuning_failed_leaves_the_sharing_row_unrun(
        tmp_path, monkeypatch):
    calls = []
    suite = write_suite(tmp_path, methods=dict(
        baseline=BASELINE_CFG, kd=KD_CFG, base2=KD_CFG),
        tuning=dict(seed=100, grid={LR: [0.05, 0.1]},
                    share=dict(base2='baseline')))
    runner = make_runner(suite, tmp_path, monkeypatch, calls,
                         methods=['base2'])
    from kdbench.leaderboard.runner import RunFailed

    def fail(*args, **kwargs):
        raise RunFailed('diverged')
    monkeypatch.setattr(runner, '_train', fail)
    assert runner.run() == 1
    assert any('base2' in f and 'baseline tuning failed' in f
               for f in runner.failures), runner.failures
    records = read_records(str(tmp_path / 'r.jsonl'))
    assert not [r for r in records if r['method'] == 'base2']


@pytest.mark.parametrize('share,grids,message', [
    (dict(kd='nope'), {}, 'does not have'),
    (dict(kd='baseline', baseline='baseline_long'), {}, 'itself shares'),
    (dict(kd='baseline'), dict(kd={LR: [0.1, 0.3]}), 'different grids'),
])
def test_shared_tuning_is_checked(tmp_path, share, grids, message):
    from kdbench.leaderboard.runner import BenchmarkRunner
    suite = write_suite(tmp_path, tuning=dict(
        seed=100, grid={LR: [0.1, 0.2]}, share=share, method_grids=grids))
    with pytest.raises(ValueError, match=message):
        BenchmarkRunner(suite, records_path=str(tmp_path / 'r.jsonl'))
