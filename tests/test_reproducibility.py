"""The protocol's reproducibility promises, end to end on the mini data:
a run killed with SIGKILL and resumed ends exactly where the uninterrupted
run ends, and the runs of one seed pair across methods (same student
initialisation, same batches)."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch

from conftest import (BASELINE_CFG, KD_CFG, REPO, isolated_mmengine_globals,
                      paused_config, run_tool, wait_for)

SELF_GUIDANCE_CFG = ('configs/cls/self_guidance/'
                     'self-guidance_r18-w8_1xb64-3e_fmnist-mini.py')
# 3 epochs of 16 iterations, validation after each, a small test split
SHORT = ['train_dataloader.dataset.indices=512', 'train_dataloader.batch_size=32',
         'val_dataloader.dataset.indices=200',
         'test_dataloader.dataset.indices=200', 'train_cfg.max_epochs=3',
         'test_after_train=True',
         'default_hooks.logger.interval=4']
ONE_THREAD = {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}


def _train(config, work_dir, extra=(), resume=False):
    args = ['tools/train.py', config, '--work-dir', str(work_dir),
            '--cfg-options', *SHORT, *extra]
    return args + (['--resume'] if resume else [])


def _weights(work_dir):
    return torch.load(osp.join(work_dir, 'weights.pth'),
                      weights_only=True)['state_dict']


def test_kill_9_and_resume_reaches_the_uninterrupted_result(tmp_path,
                                                            fmnist_ready):
    """Self-Guidance draws a stochastic-depth sub-network from torch's
    generator every step and the augmentation from numpy's: without the
    random states in the checkpoint (RNGStateHook) the resumed run takes
    other draws and ends elsewhere."""
    whole, cut = tmp_path / 'whole', tmp_path / 'cut'
    done = run_tool(_train(SELF_GUIDANCE_CFG, whole), env=ONE_THREAD)
    assert done.returncode == 0, done.stderr[-3000:]

    # the cut run is the same run plus a hook that holds it after epoch 1's
    # checkpoint (it draws no random numbers) until it is killed
    cut.mkdir()
    paused, marker, extra_env = paused_config(SELF_GUIDANCE_CFG, cut, epoch=1)
    env = dict(os.environ, **ONE_THREAD, **extra_env)
    env.pop('KDBENCH_ALLOW_PICKLE', None)
    proc = subprocess.Popen([sys.executable] + _train(paused, cut),
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert 'epoch_1' in (cut / 'last_checkpoint').read_text()
    assert not (cut / 'result.json').exists(), 'killed too late'

    resumed = run_tool(_train(SELF_GUIDANCE_CFG, cut, resume=True),
                       env=ONE_THREAD)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a = json.loads((whole / 'result.json').read_text())
    b = json.loads((cut / 'result.json').read_text())
    assert b['resumed'] and not a['resumed']
    assert b['test_metrics'] == a['test_metrics']
    assert b['metrics'] == a['metrics']
    assert [h['metrics'] for h in b['val_history']] == \
        [h['metrics'] for h in a['val_history'][-len(b['val_history']):]]
    wa, wb = _weights(whole), _weights(cut)
    assert wa.keys() == wb.keys()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


class _Stop(Exception):
    """Ends a run at its first training iteration."""


def _first_step(config, options):
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from kdbench.engine.hooks import deployable_model

    seen = {}

    class Capture(Hook):
        def before_train_iter(self, runner, batch_idx, data_batch=None):
            net = deployable_model(runner.model)
            seen['state'] = {k: v.clone() for k, v in
                             net.state_dict().items()}
            seen['inputs'] = torch.stack(data_batch['inputs']).clone()
            raise _Stop

    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict(options)
    cfg.work_dir = options.pop('_work_dir')
    with isolated_mmengine_globals():
        runner = Runner.from_cfg(cfg)
        runner.register_hook(Capture(), 'LOWEST')
        with pytest.raises(_Stop):
            runner.train()
    return seen


@pytest.mark.parametrize('config', [
    KD_CFG,
    'configs/cls/dml/dml_r18-w8x2_1xb64-3e_fmnist-mini.py',
    'configs/cls/byot/byot_r18-w8_1xb64-3e_fmnist-mini.py',
    'configs/cls/ban/ban_r18-w8_1xb64-3gx3e_fmnist-mini.py',
    'configs/cls/sskd/sskd_r18-w16_r18-w8_1xb64-5x1.8e_fmnist-mini.py',
])
def test_a_seed_pairs_the_student_with_the_plain_run(config, tmp_path,
                                                     random_teacher_ckpt,
                                                     fmnist_ready):
    """With the same seed, the distilled student starts from the plain
    student's weights and sees the same first batch (the premise of the
    leaderboard's paired intervals)."""
    options = {'randomness.seed': 3}  # the suite's 5k images
    plain = _first_step(BASELINE_CFG,
                        dict(options, _work_dir=str(tmp_path / 'plain')))
    from mmengine.config import Config
    if 'teacher' in Config.fromfile(osp.join(REPO, config)).model:
        options['model.teacher_checkpoint'] = random_teacher_ckpt
    method = _first_step(config, dict(options,
                                      _work_dir=str(tmp_path / 'method')))
    assert torch.equal(plain['inputs'], method['inputs'])
    assert plain['state'].keys() == method['state'].keys()
    differ = [k for k in plain['state']
              if not torch.equal(plain['state'][k], method['state'][k])]
    assert not differ, differ[:5]


def _values(params):
    """The drawn values among ``params`` (constant inits 0 and 1 left out)."""
    values = torch.cat([p.detach().flatten() for p in params]).tolist()
    return [v for v in values if v not in (0.0, 1.0)]


@pytest.mark.parametrize('config', [
    'configs/cls/dml/dml_r18-w8x2_1xb64-3e_fmnist-mini.py',
    'configs/cls/one/one_r18-w8-3br_1xb64-3e_fmnist-mini.py',
    'configs/cls/byot/byot_r18-w8_1xb64-3e_fmnist-mini.py',
    'configs/cls/fitnets/fitnets_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py',
])
def test_modules_built_after_the_student_share_no_draws_with_it(
        config, random_teacher_ckpt):
    """The student replays the generator state right after its build; a
    peer, branch or connector must not draw from that same stream (it
    would start as a copy of the student's weights). Measured as the
    values it shares with the student, against the values another seed's
    modules share with it by chance (float32 draws do collide)."""
    from mmengine.config import Config

    from kdbench.engine.hooks import deployable_model
    from kdbench.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, config))
    if 'teacher' in cfg.model:
        cfg.model.teacher_checkpoint = random_teacher_ckpt
    student_values, others = None, []
    for seed in (5, 6):
        torch.manual_seed(seed)
        model = MODELS.build(cfg.model)
        model.init_weights()
        student = deployable_model(model)
        own = {id(p) for p in student.parameters()}
        others.append(_values([p for n, p in model.named_parameters()
                               if id(p) not in own
                               and not n.startswith('teacher')]))
        if student_values is None:
            student_values = set(_values(student.parameters()))
    shared = sum(v in student_values for v in others[0])
    by_chance = sum(v in student_values for v in others[1])
    assert others[0] and shared <= 1.5 * by_chance + 20, (shared, by_chance)


def test_cached_teacher_run_resumes_to_the_uninterrupted_result(
        tmp_path, fmnist_ready):
    """KD from a teacher-output cache: the views are functions of (epoch,
    sample), so a run killed after epoch 1 and resumed reads the same
    cache rows and ends bit-identical to the uninterrupted run."""
    from kdbench.compat import save_weights
    from kdbench.distillers import build_model
    config = 'configs/cls/kd/kd-cached_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'
    teacher = str(tmp_path / 'teacher.pth')
    torch.manual_seed(0)
    save_weights(build_model('configs/_base_/models/resnet18-w16_fmnist.py',
                             'teacher').state_dict(), teacher)
    model_opts = [f'model.teacher_checkpoint={teacher}',
                  f'model.teacher_cache={tmp_path / "cache"}']
    built = run_tool(['tools/cache_teacher.py', config, '--cfg-options',
                      *SHORT, *model_opts], env=ONE_THREAD)
    assert built.returncode == 0, built.stderr[-3000:]
    whole, cut = tmp_path / 'whole', tmp_path / 'cut'
    done = run_tool(_train(config, whole, model_opts), env=ONE_THREAD)
    assert done.returncode == 0, done.stderr[-3000:]
    cut.mkdir()
    paused, marker, extra_env = paused_config(config, cut, epoch=1)
    env = dict(os.environ, **ONE_THREAD, **extra_env)
    env.pop('KDBENCH_ALLOW_PICKLE', None)
    proc = subprocess.Popen([sys.executable] + _train(paused, cut,
                                                      model_opts),
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    resumed = run_tool(_train(config, cut, model_opts, resume=True),
                       env=ONE_THREAD)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a = json.loads((whole / 'result.json').read_text())
    b = json.loads((cut / 'result.json').read_text())
    assert b['resumed'] and b['test_metrics'] == a['test_metrics']
    wa, wb = _weights(whole), _weights(cut)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
