"""tools/benchmark.py end to end on a tiny suite: teacher cached, records
appended once, a killed runner re-run finishes without duplicates."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from kdbench.leaderboard import read_records

from conftest import BASELINE_CFG, KD_CFG, REPO, run_tool, tiny_suite


def write_suite(tmp_path):
    return tiny_suite(tmp_path, 'suite_tiny',
                      dict(baseline=BASELINE_CFG, kd=KD_CFG))


def test_runner_end_to_end(tmp_path, fmnist_ready):
    suite = write_suite(tmp_path)
    records = str(tmp_path / 'records.jsonl')
    work = str(tmp_path / 'work')
    cmd = [sys.executable, 'tools/benchmark.py', suite, '--records', records,
           '--work-root', work]
    # kill the runner while the first student run trains
    # SIGINT back to its default in the runner: a test session started in
    # the background (`cmd &`) passes SIGINT on as ignored, and the runner
    # would then not see the interrupt at all
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = osp.join(work, 'benchmarks', 'suite_tiny', 'baseline', 'seed0')
    deadline = time.time() + 300
    while not osp.isdir(first):
        assert proc.poll() is None, proc.stdout.read()
        assert time.time() < deadline
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    # the runner's own output says where the interrupt landed
    assert [r['method'] for r in read_records(records)] == ['teacher'], \
        proc.stdout.read()[-4000:]

    done = run_tool(cmd[1:], timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert '[teacher] cached' in done.stdout
    rows = read_records(records)
    assert sorted((r['method'], r['seed']) for r in rows) == [
        ('baseline', 0), ('baseline', 1), ('kd', 0), ('kd', 1),
        ('teacher', 0)]
    for r in rows:
        assert 0 <= r['value'] <= 100 and r['iters'] == 4
        assert r['command'].split()[1].endswith('tools/train.py')
        assert r['versions']['mmpretrain'] == '1.2.0'
    kd0 = next(r for r in rows if r['method'] == 'kd' and r['seed'] == 0)
    assert 'model.teacher_checkpoint=' in kd0['command']
    assert 'randomness.seed=0' in kd0['command']
    with open(osp.join(work, 'benchmarks', 'suite_tiny', 'kd', 'seed0',
                       'result.json')) as f:
        assert json.load(f)['metrics']['accuracy/top1'] == kd0['value']
    # each student record names the weights its run exported
    from kdbench.leaderboard.runner import file_sha256
    assert kd0['weights_sha256'] == file_sha256(osp.join(
        work, 'benchmarks', 'suite_tiny', 'kd', 'seed0', 'weights.pth'))
    text = open(tmp_path / 'suite_tiny.md').read()
    assert '| kd |' in text and '| baseline |' in text
    assert 'Wall time:' in done.stdout

    again = run_tool(cmd[1:], timeout=300)
    assert again.returncode == 0
    assert again.stdout.count('skipped') == 4
    assert len(read_records(records)) == 5

    # --rerun trains a recorded run again; the table keeps one run per seed
    rerun = run_tool(cmd[1:] + ['--rerun', '--methods', 'kd', '--seeds',
                                '0'], timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-2000:]
    assert 'skipped' not in rerun.stdout
    assert len(read_records(records)) == 6
    kd_row = next(line for line in rerun.stdout.splitlines()
                  if line.startswith('| kd |'))
    assert kd_row.split('|')[2].strip() == '2'  # n: seeds 0 (rerun) and 1


def test_unknown_suite_and_method(tmp_path):
    proc = run_tool(['tools/benchmark.py', 'configs/benchmarks/nope.py'])
    assert proc.returncode == 2 and 'configs/benchmarks' in proc.stderr
    suite = write_suite(tmp_path)
    proc = run_tool(['tools/benchmark.py', suite, '--methods', 'kdd',
                     '--records', str(tmp_path / 'r.jsonl')])
    assert proc.returncode == 2 and "'kdd'" in proc.stderr
    assert 'Traceback' not in proc.stderr


def test_runs_are_keyed_by_their_settings(tmp_path):
    """A recorded run counts only for the same options; a work_dir left by
    a run with other settings is started over, not resumed or reused."""
    from kdbench.leaderboard import append_record
    from kdbench.leaderboard.runner import BenchmarkRunner
    suite = write_suite(tmp_path)
    records = str(tmp_path / 'r.jsonl')
    runner = BenchmarkRunner(suite, records_path=records,
                             work_root=str(tmp_path / 'w'))
    opts = ' '.join(f'{k}={v}' for k, v in runner.cfg_options.items())
    record = runner._base_record()
    teacher = runner.teacher_id()
    record.update(method='kd', seed=0, config=KD_CFG, value=1.0,
                  teacher_value=2.0, iters=4, train_s=1.0, s_per_iter=0.25,
                  peak_mem_mb=1.0, finished_at='now', teacher_sha256='w1',
                  teacher_id=teacher, phase='test',
                  config_sha256=runner.config_sha(KD_CFG),
                  command=f'python tools/train.py {KD_CFG} --work-dir x '
                  f'--cfg-options randomness.seed=0 {opts} '
                  f'model.teacher_checkpoint=/elsewhere/weights.pth')
    append_record(records, record)
    assert runner._recorded('kd', 0, KD_CFG, runner.cfg_options, teacher)
    assert not runner._recorded('kd', 1, KD_CFG, runner.cfg_options,
                                teacher)
    assert not runner._recorded('kd', 0, KD_CFG,
                                {**runner.cfg_options, 'train_cfg.max_epochs': 9},
                                teacher)
    # a tuning run is not a reported run
    assert not runner._recorded('kd', 0, KD_CFG, runner.cfg_options,
                                teacher, phase='tune')
    # another teacher (config, seed or options) makes other runs; a
    # retrain of the same teacher elsewhere (other weights) does not
    assert teacher.startswith('config:')
    assert not runner._recorded('kd', 0, KD_CFG, runner.cfg_options,
                                'config:another')
    # an edited config (resolved content) makes a new run as well
    runner._config_shas[KD_CFG] = 'edited'
    assert not runner._recorded('kd', 0, KD_CFG, runner.cfg_options,
                                teacher)

    work = tmp_path / 'w' / 'run'
    spec = dict(config=KD_CFG, options={'randomness.seed': 0})
    runner._claim_work_dir(str(work), spec)
    (work / 'result.json').write_text('{}')
    runner._claim_work_dir(str(work), spec)          # same settings: kept
    assert (work / 'result.json').exists()
    runner._claim_work_dir(str(work), dict(spec, options={}))  # other: reset
    assert not (work / 'result.json').exists()
    assert json.loads((work / 'kdbench_run.json').read_text())['options'] == {}


def test_config_identity_follows_referenced_model_files(tmp_path):
    """A distiller config names its student by path: editing that file must
    change the run identity, editing a comment must not."""
    import shutil
    from kdbench.leaderboard.runner import REPO_ROOT, config_sha256
    models = tmp_path / 'models'
    models.mkdir()
    student = models / 'student.py'
    shutil.copy(osp.join(REPO_ROOT, 'configs/_base_/models/'
                         'resnet18-w16_fmnist.py'), student)
    cfg = tmp_path / 'kd.py'
    cfg.write_text(f"_base_ = ['{REPO_ROOT}/{KD_CFG}']\n"
                   f"model = dict(student='{student}')\n")
    first = config_sha256(str(cfg))
    student.write_text('# a comment\n' + student.read_text())
    assert config_sha256(str(cfg)) == first
    student.write_text(student.read_text().replace('base_channels=16',
                                                   'base_channels=12'))
    assert config_sha256(str(cfg)) != first


def planned_jobs(runner, monkeypatch):
    """(method, config, options) of every run ``runner.run()`` would train,
    without training anything (pretraining and teacher stubbed)."""
    jobs = []
    monkeypatch.setattr(runner, 'pretrain', lambda: None)
    monkeypatch.setattr(runner, 'teacher', lambda: ('t.pth', 90.0, 'sha'))
    names = list(runner.suite.get('extra_teachers') or {})
    monkeypatch.setattr(runner, 'prepare_extra_teachers', lambda: setattr(
        runner, '_extra_weights', {n: f'{n}.pth' for n in names}))
    monkeypatch.setattr(runner, 'prepare_teacher_caches', lambda w: None)
    monkeypatch.setattr(runner, 'render', lambda: '')
    monkeypatch.setattr(runner, 'run_job',
                        lambda method, seed, config, options, *a, **kw:
                        jobs.append((method, config, options)))
    assert runner.run() == 0
    return jobs


def test_quick_method_options_replace_the_quick_options(tmp_path,
                                                        monkeypatch):
    """A multi-stage method gets its own --quick schedule instead of the
    suite's quick options (which would cut its stages short)."""
    from kdbench.leaderboard.runner import BenchmarkRunner
    suite = write_suite(tmp_path)
    with open(suite, 'a') as f:
        f.write("quick = dict(seeds=[0], cfg_options={'train_cfg.max_epochs'"
                ": 2}, method_cfg_options=dict(kd={'model.stages.0.end': 1})"
                ")\n")
    runner = BenchmarkRunner(suite, quick=True,
                             records_path=str(tmp_path / 'r.jsonl'),
                             work_root=str(tmp_path / 'work'))
    options = {method: opts for method, _, opts in
               planned_jobs(runner, monkeypatch)}
    assert options['baseline']['train_cfg.max_epochs'] == 2
    assert options['kd']['train_cfg.max_epochs'] == '1'  # suite's, not 2
    assert options['kd']['model.stages.0.end'] == 1
    # the suite's own cfg_options (here the tiny data) still apply
    assert options['kd']['train_dataloader.dataset.indices'] == '256'


def test_pretrainings_are_made_side_by_side(tmp_path, monkeypatch):
    """The suite's backbone pretrainings are independent runs: with
    ``jobs`` 2 both train at once (a barrier that only two concurrent
    trainings pass), and their weights' sha256 come back per config."""
    import hashlib
    import threading

    from kdbench.leaderboard import runner as runner_mod
    from kdbench.leaderboard.runner import BenchmarkRunner
    suite = write_suite(tmp_path)
    with open(suite, 'a') as f:
        f.write("pretrained = ['configs/pretrain/a.py', "
                "'configs/pretrain/b.py']\n")
    runner = BenchmarkRunner(suite, records_path=str(tmp_path / 'r.jsonl'),
                             work_root=str(tmp_path / 'work'), jobs=2)
    monkeypatch.setattr(runner_mod, 'PRETRAINED_ROOT', str(tmp_path / 'p'))
    both_running = threading.Barrier(2, timeout=20)

    def fake_train(config, work_dir, seed, extra_options, label,
                   teacher_id=None):
        assert seed == 0 and extra_options == {}
        both_running.wait()  # raises when the other never starts
        os.makedirs(work_dir)
        with open(osp.join(work_dir, 'weights.pth'), 'wb') as f:
            f.write(config.encode())
        return dict(metrics={'top1': 1.0}, train_s=1.0)

    monkeypatch.setattr(runner, '_train', fake_train)
    shas = runner.pretrain()
    assert list(shas) == ['configs/pretrain/a.py', 'configs/pretrain/b.py']
    for config, sha in shas.items():
        assert sha == hashlib.sha256(config.encode()).hexdigest()


def test_a_released_teacher_is_used_as_it_is(tmp_path, monkeypatch):
    """A suite teacher with `checkpoint` (released ImageNet weights) is
    never trained: a missing file stops the suite with the suite's `how`,
    a present one is returned with its sha256 and published value."""
    import pytest
    from kdbench.leaderboard.runner import (BenchmarkRunner, RunFailed,
                                            file_sha256)
    weights = tmp_path / 'released.pth'
    suite = write_suite(tmp_path)
    with open(suite, 'a') as f:
        f.write(f"teacher = dict(name='R50', seed=0, config="
                f"'configs/cls/teacher/r50_8xb32-100e_in1k.py', "
                f"checkpoint={str(weights)!r}, value=76.55, "
                f"how='Download it from the zoo.')\n")
    runner = BenchmarkRunner(suite, records_path=str(tmp_path / 'r.jsonl'),
                             work_root=str(tmp_path / 'work'))

    def no_training(*args, **kwargs):
        raise AssertionError('a released teacher must not be trained')
    monkeypatch.setattr(runner, '_train', no_training)
    with pytest.raises(RunFailed, match='Download it from the zoo.'):
        runner.teacher()
    weights.write_bytes(b'weights')
    assert runner.teacher() == (str(weights), 76.55, file_sha256(
        str(weights)))
    assert read_records(str(tmp_path / 'r.jsonl')) == []


def test_a_teacher_that_is_a_cached_pretraining_is_not_trained_again(
        tmp_path, monkeypatch):
    """The tiny track's teacher is the backbone pretraining other suites
    cache: its finished run (seed 0, no options) is recorded as the
    teacher with that run's own command and metrics, and never retrained;
    another seed is trained as usual."""
    import json
    import pytest
    from kdbench.leaderboard import runner as runner_mod
    from kdbench.leaderboard.runner import BenchmarkRunner, file_sha256
    config = 'configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py'
    cached = tmp_path / 'pretrained' / 'resnet18_1xb128-2e_fmnist-canvas64'
    cached.mkdir(parents=True)
    (cached / 'weights.pth').write_bytes(b'pretrained weights')
    (cached / 'result.json').write_text(json.dumps(dict(
        metrics={'accuracy/top1': 75.9}, seed=0, iters=938, epochs=2,
        train_s=1962.0, s_per_iter=2.09, resumed=False, peak_mem_mb=1.0)))
    monkeypatch.setattr(runner_mod, 'PRETRAINED_ROOT',
                        str(tmp_path / 'pretrained'))
    suite = write_suite(tmp_path)
    with open(suite, 'a') as f:
        f.write(f"teacher = dict(name='R18', seed=0, config={config!r})\n"
                "teacher_cfg_options = {}\n")
    records = str(tmp_path / 'r.jsonl')
    runner = BenchmarkRunner(suite, records_path=records,
                             work_root=str(tmp_path / 'work'))

    def no_training(*args, **kwargs):
        raise AssertionError('the cached pretraining must not be retrained')
    monkeypatch.setattr(runner, '_train', no_training)
    weights = str(cached / 'weights.pth')
    value = runner.teacher()
    assert value == (weights, pytest.approx(75.9), file_sha256(weights))
    rows = read_records(records)
    assert len(rows) == 1 and rows[0]['method'] == 'teacher'
    assert f'--work-dir {cached}' in rows[0]['command']
    assert runner.teacher()[0] == weights  # cached: no second record
    assert len(read_records(records)) == 1
    # a teacher with another seed is its own run
    with open(suite, 'a') as f:
        f.write(f"teacher = dict(name='R18', seed=1, config={config!r})\n")
    runner = BenchmarkRunner(suite, records_path=records,
                             work_root=str(tmp_path / 'work'))
    monkeypatch.setattr(runner, '_train', no_training)
    with pytest.raises(AssertionError, match='must not be retrained'):
        runner.teacher()
    # with a validation split the teacher's score is a test number: the
    # cached run (validated only) is evaluated on its test loop first
    with open(suite, 'a') as f:
        f.write(f"teacher = dict(name='R18', seed=0, config={config!r})\n"
                "validation_split = True\n")
    runner = BenchmarkRunner(suite, records_path=str(tmp_path / 'r2.jsonl'),
                             work_root=str(tmp_path / 'work'))
    monkeypatch.setattr(runner, '_train', no_training)
    tested = []
    monkeypatch.setattr(runner, '_test_metrics', lambda t, w: tested.append(
        w) or {'accuracy/top1': 74.2})
    assert runner.teacher()[1] == pytest.approx(74.2)
    assert tested == [weights]
    row, = read_records(str(tmp_path / 'r2.jsonl'))
    assert row['value'] == pytest.approx(74.2)
    assert row['extra']['test_metrics'] == {'accuracy/top1': 74.2}


def _schedule_problems(config, options):
    """What is wrong with the LR schedule of ``config`` once the runner's
    options are merged: a scheduler mmengine would refuse (begin >= end),
    an option that added a key instead of setting one (a per-optimizer
    schedule, e.g. {'student': [...], 'critic': [...]}, given a '1' key),
    or a schedule that does not end with the training loop (it would stop
    before annealing, or anneal early)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict({k: v for k, v in options.items()
                         if k.startswith(('train_cfg', 'param_scheduler'))})
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict) and 'type' not in schedulers:
        groups = dict(schedulers)  # one schedule per optimizer
    else:
        groups = {'': schedulers if isinstance(schedulers, list)
                  else [schedulers]}
    loop = cfg.get('train_cfg') or {}
    problems = []
    for name, group in groups.items():
        if not isinstance(group, (list, tuple)):
            problems.append(f'{config}: param_scheduler.{name} is not a '
                            f'list of schedulers: {group}')
            continue
        for s in group:
            if 'end' in s and s.get('begin', 0) >= s['end']:
                problems.append(f'{config}: {s.type} begin '
                                f'{s.get("begin", 0)} >= end {s["end"]}')
        by_epoch = {s.get('by_epoch', True) for s in group}
        ends = [s['end'] for s in group if 'end' in s]
        length = loop.get('max_epochs') if by_epoch == {True} else \
            loop.get('max_iters') if by_epoch == {False} else None
        if ends and length is not None and max(ends) != length:
            problems.append(f'{config}: the {name or "lr"} schedule ends at '
                            f'{max(ends)}, the training loop at {length}')
    return problems


@pytest.mark.parametrize('quick', [True, False])
def test_every_suite_schedule_is_valid_and_anneals(tmp_path, monkeypatch,
                                                   quick):
    """Each suite's options (--quick's too), as the runner merges them,
    leave every method's and the teacher's LR schedule valid and ending
    with its training loop (a 1-epoch quick run of a config whose cosine
    phase starts at epoch 1 used to crash; a quick segmentation run
    stopped its poly decay at 100 of 750 iterations)."""
    import glob
    from mmengine.config import Config
    from kdbench.leaderboard.runner import BenchmarkRunner
    problems, seen = [], set()
    for suite in sorted(glob.glob(osp.join(REPO, 'configs/benchmarks/*.py'))):
        cfg = Config.fromfile(suite)
        if 'task' not in cfg or (quick and 'quick' not in cfg):
            continue
        runner = BenchmarkRunner(suite, quick=quick,
                                 records_path=str(tmp_path / 'r.jsonl'),
                                 work_root=str(tmp_path / 'work'))
        if quick:  # no grid: the runs run() would train
            jobs = [(config, options) for _, config, options in
                    planned_jobs(runner, monkeypatch)]
        else:  # every setting of every method's grid
            runner._extra_weights = {n: f'{n}.pth' for n in
                                     runner.suite.get('extra_teachers', {})}
            jobs = [(runner.all_methods[m],
                     {**runner._method_options(m, 't.pth'), **point})
                    for m in runner.all_methods
                    for point in runner.grid_points(m)]
        teacher = runner.suite.teacher
        if not teacher.get('checkpoint'):
            jobs.append((teacher.config, runner.teacher_options))
        for config, options in jobs:
            # the schedule depends on the config and these options only
            key = (config, tuple(sorted(
                (k, repr(v)) for k, v in options.items()
                if k.startswith(('train_cfg', 'param_scheduler')))))
            if key not in seen:
                seen.add(key)
                problems += _schedule_problems(config, options)
    assert len(seen) > 40
    assert not problems, problems


def test_suites_are_named_relative_to_the_repository(tmp_path, monkeypatch):
    from kdbench.leaderboard.runner import repo_relpath
    suite = 'configs/benchmarks/tiny_mini.py'
    assert repo_relpath(suite) == suite
    assert repo_relpath(osp.join(REPO, suite)) == suite
    # a path given from another working directory names the same suite
    monkeypatch.chdir(tmp_path)
    assert repo_relpath(osp.abspath(osp.join(REPO, 'configs', '..', suite))
                        ) == suite


def test_a_given_teacher_is_used_where_it_is(tmp_path, random_teacher_ckpt,
                                             fmnist_ready):
    """--teacher PATH: the file is used in place and never removed, its
    score is measured once with tools/test.py and recorded, and the cached
    teacher of the work root is left alone."""
    import shutil
    from kdbench.leaderboard.runner import BenchmarkRunner, file_sha256
    suite = write_suite(tmp_path)
    with open(suite, 'a') as f:
        f.write("teacher_cfg_options = dict(teacher_cfg_options, **{"
                "'test_dataloader.dataset.indices': 200})\n")
    given = tmp_path / 'mine' / 'teacher.pth'
    given.parent.mkdir()
    shutil.copy(random_teacher_ckpt, given)
    cached = (tmp_path / 'work' / 'teachers' /
              'r18-w16_1xb128-30e_fmnist-mini' / 'weights.pth')
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b'a cached teacher of another run')
    records = str(tmp_path / 'r.jsonl')

    def runner():
        return BenchmarkRunner(suite, records_path=records,
                               work_root=str(tmp_path / 'work'),
                               teacher_weights=str(given))
    weights, value, sha = runner().teacher()
    assert weights == str(given) and sha == file_sha256(str(given))
    assert 0.0 <= value <= 100.0
    rows = read_records(records)
    assert [r['method'] for r in rows] == ['teacher']
    assert rows[0]['teacher_sha256'] == sha and rows[0]['value'] == value
    assert rows[0]['extra']['given'] == str(given)
    assert rows[0]['teacher_id'] == runner().teacher_id()
    # the second time the recorded score is used, nothing is evaluated
    assert runner().teacher() == (str(given), value, sha)
    assert len(read_records(records)) == 1
    assert given.is_file() and cached.read_bytes().startswith(b'a cached')
    proc = run_tool(['tools/benchmark.py', suite, '--records', records,
                     '--teacher', str(tmp_path / 'nope.pth'), '--methods',
                     'baseline'])
    assert proc.returncode == 1 and 'no such file' in proc.stdout


def test_runner_trains_extra_teachers_and_builds_teacher_caches(
        tmp_path, fmnist_ready):
    """A multi-teacher row gets its extra teacher trained once and pointed
    at; a cached-teacher row gets its cache built once from the suite's
    teacher; both records say so, and a re-run skips everything."""
    from conftest import TINY_OPTIONS, tiny_suite
    suite = tiny_suite(tmp_path, 'suite_extra', dict(
        ens_kd='configs/cls/ens_kd/'
        'ens-kd_r18-w16+r50-w8_r18-w8_1xb64-3e_fmnist-mini.py',
        kd_cached='configs/cls/kd/'
        'kd-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'))
    options = dict(o.split('=', 1) for o in TINY_OPTIONS)
    with open(suite, 'a') as f:
        f.write('''
seeds = [0]
extra_teachers = dict(r50=dict(
    config='configs/cls/teacher/r50-w8_1xb128-30e_fmnist-mini.py', seed=0))
''')
    records = str(tmp_path / 'records.jsonl')
    work = str(tmp_path / 'work')
    cmd = ['tools/benchmark.py', suite, '--records', records,
           '--work-root', work]
    done = run_tool(cmd, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    rows = {r['method']: r for r in read_records(records)}
    assert set(rows) == {'teacher', 'teacher_r50', 'ens_kd', 'kd_cached'}
    r50 = osp.join(work, 'teachers', 'r50-w8_1xb128-30e_fmnist-mini',
                   'weights.pth')
    assert f'model.extra_teachers.r50.checkpoint={r50}' in \
        rows['ens_kd']['command']
    assert rows['ens_kd']['teacher_id'].startswith(
        rows['teacher']['teacher_id'] + '+r50=config:')
    cache = rows['kd_cached']['extra']['teacher_cache']
    assert cache['path'].startswith(osp.join(work, 'teacher_cache'))
    assert f'model.teacher_cache={cache["path"]}' in \
        rows['kd_cached']['command']
    assert cache['mib'] > 0 and cache['build_s'] > 0
    assert options['train_cfg.max_epochs'] == '1'
    again = run_tool(cmd, timeout=300)
    assert again.returncode == 0, again.stdout[-2000:]
    assert '[teacher r50] cached' in again.stdout
    assert '[teacher cache] cached' in again.stdout
    assert again.stdout.count('skipped') == 2
