"""tools/: train -> weights.pth -> test with the plain student config,
resume after a kill, 2-process CPU training, and bad-input messages."""
import json
import os
import os.path as osp
import re
import shutil
import signal
import subprocess
import sys

import pytest
import torch

from conftest import (BASELINE_CFG, KD_CFG, REPO, TINY_OPTIONS, free_port,
                      paused_config, run_tool, wait_for)


def test_distill_then_test_with_plain_student_config(
        tmp_path, fmnist_ready, random_teacher_ckpt):
    work = str(tmp_path / 'kd')
    proc = run_tool(['tools/train.py', KD_CFG, '--work-dir', work,
                     '--cfg-options', *TINY_OPTIONS,
                     f'model.teacher_checkpoint={random_teacher_ckpt}'])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'distill.loss_kd' in log and 'student.loss' in log
    weights = osp.join(work, 'weights.pth')
    saved = torch.load(weights, weights_only=True)
    assert set(saved) == {'state_dict', 'meta'}
    keys = list(saved['state_dict'])
    assert keys and not any(k.startswith(('student.', 'teacher', 'connect'))
                            for k in keys)
    proc = run_tool(['tools/test.py', BASELINE_CFG, weights, '--work-dir',
                     str(tmp_path / 'test'), '--cfg-options',
                     'test_dataloader.dataset.indices=200'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'accuracy/top1' in log
    assert 'missing keys' not in log and 'unexpected key' not in log

    # tools/export_student.py gives the same student from the (pickled)
    # training checkpoint: the run's own file (in the trust ledger) as it
    # is, a copy of it from elsewhere once the user vouches for it
    exported = str(tmp_path / 'exported.pth')
    proc = run_tool(['tools/export_student.py',
                     osp.join(work, 'epoch_1.pth'), exported])
    assert proc.returncode == 0, proc.stderr[-2000:]
    elsewhere = str(tmp_path / 'received.pth')
    shutil.copy(osp.join(work, 'epoch_1.pth'), elsewhere)
    proc = run_tool(['tools/export_student.py', elsewhere, exported])
    assert proc.returncode == 2 and '--trust' in proc.stderr
    proc = run_tool(['tools/export_student.py', '--trust', elsewhere,
                     exported])
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours = torch.load(exported, weights_only=True)['state_dict']
    assert ours.keys() == saved['state_dict'].keys()
    for key, value in saved['state_dict'].items():
        assert torch.equal(ours[key], value), key

    # tools/leaderboard.py renders a records file
    records = tmp_path / 'records.jsonl'
    records.write_text('')
    proc = run_tool(['tools/leaderboard.py', '--records', str(records),
                     '--out', '-'])
    assert proc.returncode == 0 and 'No records yet' in proc.stdout


def test_resume_continues_a_killed_run(tmp_path, fmnist_ready):
    work = str(tmp_path / 'base')
    options = [o for o in TINY_OPTIONS if 'max_epochs' not in o
               and 'val_interval' not in o and 'scheduler' not in o]
    options += ['train_cfg.max_epochs=3', 'train_cfg.val_interval=3']
    # the run holds after epoch 1's checkpoint until it is killed
    paused, marker, env = paused_config(BASELINE_CFG, tmp_path, epoch=1)
    cmd = [sys.executable, 'tools/train.py', paused, '--work-dir', work,
           '--cfg-options', *options]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env=dict(os.environ, **env))
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert not osp.isfile(osp.join(work, 'epoch_2.pth'))
    assert not osp.isfile(osp.join(work, 'weights.pth'))
    done = run_tool(['tools/train.py', BASELINE_CFG, '--work-dir', work,
                     '--resume', '--cfg-options', *options])
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert 'resumed epoch: ' in log, log[-2000:]
    assert 'Epoch(train) [1]' not in log  # epoch 1 was not trained again
    assert osp.isfile(osp.join(work, 'epoch_3.pth'))
    assert osp.isfile(osp.join(work, 'weights.pth'))


def test_dist_train_two_cpu_processes(tmp_path, fmnist_ready,
                                      random_teacher_ckpt):
    work = str(tmp_path / 'dist')
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', KD_CFG, '2', '--work-dir', work,
         '--cfg-options', *TINY_OPTIONS,
         f'model.teacher_checkpoint={random_teacher_ckpt}'],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert "'world_size': 2" in log or 'GPU number: 2' in log or \
        'world_size: 2' in log, log[-3000:]
    assert 'distill.loss_kd' in log
    assert 'accuracy/top1' in log  # distributed evaluation happened
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    # 256 images, batch 64 per rank: each of the 2 ranks trains 2 iterations
    assert result['world_size'] == 2
    assert result['ranks'] == [
        dict(rank=r, iters_run=2, predicted=None, test_predicted=None)
        for r in (0, 1)]
    assert 'accuracy/top1' in result['metrics']
    assert osp.isfile(osp.join(work, 'weights.pth'))

    # dist_test.sh evaluates the student with 2 processes as well
    proc = subprocess.run(
        ['bash', 'tools/dist_test.sh', BASELINE_CFG,
         osp.join(work, 'weights.pth'), '2', '--work-dir',
         str(tmp_path / 'dist_test'), '--cfg-options',
         'test_dataloader.dataset.indices=200'],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log and 'accuracy/top1' in log


def test_resume_after_kill_in_final_validation(tmp_path, fmnist_ready):
    """mmengine saves the last checkpoint before the final validation; a
    run killed then is resumed with nothing left to train and must still be
    evaluated (else the runner could never record it)."""
    work = str(tmp_path / 'v')
    args = ['tools/train.py', BASELINE_CFG, '--work-dir', work,
            '--cfg-options', *TINY_OPTIONS]
    assert run_tool(args).returncode == 0
    os.remove(osp.join(work, 'result.json'))  # as if killed in validation
    proc = run_tool(args[:1] + args[1:4] + ['--resume'] + args[4:])
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    assert 'accuracy/top1' in result['metrics'] and result['resumed']
    assert 'evaluating the final model' in proc.stdout + proc.stderr


def test_test_tool_refuses_weights_that_do_not_fit(tmp_path,
                                                   random_teacher_ckpt):
    proc = run_tool(['tools/test.py', BASELINE_CFG, random_teacher_ckpt,
                     '--work-dir', str(tmp_path)])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'does not fit the model' in proc.stderr
    assert 'shape mismatches' in proc.stderr and 'Traceback' not in proc.stderr


def test_amp_on_cpu_is_one_message(tmp_path):
    proc = run_tool(['tools/train.py', BASELINE_CFG, '--amp', '--work-dir',
                     str(tmp_path)])
    assert proc.returncode == 2
    assert '--amp needs a GPU' in proc.stderr and 'Traceback' not in \
        proc.stderr


def test_bad_config_path_is_one_message(tmp_path):
    proc = run_tool(['tools/train.py', 'configs/cls/kd/kd_r18-w16_r18-w8.py',
                     '--work-dir', str(tmp_path)])
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr
    assert 'kd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py' in proc.stderr


def test_bad_tap_is_one_message(tmp_path, random_teacher_ckpt):
    proc = run_tool(['tools/train.py', KD_CFG, '--work-dir', str(tmp_path),
                     '--cfg-options', 'model.distill_losses.kd.student=head.fcc',
                     f'model.teacher_checkpoint={random_teacher_ckpt}'])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    assert "'head.fc'" in proc.stderr and 'Closest valid paths' in proc.stderr


def test_missing_teacher_is_one_message(tmp_path):
    proc = run_tool(['tools/train.py', KD_CFG, '--work-dir', str(tmp_path),
                     '--cfg-options',
                     f'model.teacher_checkpoint={tmp_path}/none.pth'])
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr and 'does not exist' in proc.stderr


def test_missing_dataset_is_one_message(tmp_path, random_teacher_ckpt):
    proc = run_tool(['tools/train.py', BASELINE_CFG, '--work-dir',
                     str(tmp_path), '--cfg-options',
                     f'train_dataloader.dataset.data_root={tmp_path}/nodata'])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    assert 'tools/prepare_data.py' in proc.stderr


def test_dist_train_detection_distiller_two_cpu_processes(
        tmp_path, random_gfl_teacher, offline_gfl_student):
    """tools/dist_train.sh runs a detection distillation config (LD on the
    mini GFL pair) with 2 CPU processes and evaluates with CocoMetric. The
    student's backbone loads random "pretrained" weights (the strict
    kdbench.PretrainedBackbone path, without the real pretraining)."""
    if not osp.isfile(osp.join(REPO, 'data', 'mini_coco', 'annotations',
                               'instances_val2017.json')):
        pytest.fail('data/mini_coco is missing: run `make data`.')
    ckpt, student = random_gfl_teacher, offline_gfl_student
    work = str(tmp_path / 'dist_det')
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh',
         'configs/det/ld/ld-vlr_gfl_r18_gfl_r18-w16_1xb8-4e_coco-mini.py',
         '2', '--work-dir', work, '--cfg-options',
         'train_dataloader.dataset.indices=32',
         'train_dataloader.batch_size=4', 'val_dataloader.dataset.indices=8',
         'test_dataloader.dataset.indices=8', 'test_after_train=True',
         'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
         'param_scheduler.1.end=1', 'default_hooks.logger.interval=1',
         f'model.teacher_checkpoint={ckpt}', f'model.student={student}'],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert re.search(r'ResNet: \d+ tensors from', log), log[-4000:]
    for key in ('distill.loss_ld', 'distill.loss_ld_vlr',
                'distill.loss_cls_kd', 'student.loss_cls'):
        assert key in log, key
    # validated (on the holdout scenes), then tested once (on val2017)
    assert 'Evaluating the final model on the test split' in log
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    for split in ('no_predictions', 'test_no_predictions'):
        assert split in result  # boxes counted on both splits
    assert result['test_no_predictions'] or \
        'coco/bbox_mAP' in result['test_metrics']
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    # 32 images, batch 4 per rank: each of the 2 ranks trains 4 iterations
    assert result['world_size'] == 2
    assert [r['iters_run'] for r in result['ranks']] == [4, 4]
    assert all(r['predicted'] is not None for r in result['ranks'])
    assert osp.isfile(osp.join(work, 'weights.pth'))


def test_dist_train_holistic_segmentation_two_cpu_processes(tmp_path):
    """tools/dist_train.sh runs Structured KD with the holistic critic (two
    optimizers, MMSeparateDistributedDataParallel) with 2 CPU processes; the
    student's weights.pth loads into the plain student config."""
    from pretrained_helpers import offline_pretrained_config
    from kdbench.compat import load_checkpoint_file, save_weights
    from kdbench.distillers import build_model
    if not osp.isfile(osp.join(REPO, 'data', 'mini_cityscapes',
                               'kdbench_manifest.json')):
        pytest.fail('data/mini_cityscapes is missing: run `make data`.')
    teacher_cfg = 'configs/_base_/models/pspnet_r18-d8_mini.py'
    student_cfg = 'configs/_base_/models/pspnet_r18-w16-d8_mini.py'
    ckpt = str(tmp_path / 'teacher.pth')
    save_weights(build_model(teacher_cfg, 'teacher').state_dict(), ckpt)
    student = offline_pretrained_config(student_cfg,
                                        str(tmp_path / 'student.py'))
    work = str(tmp_path / 'dist_seg')
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh',
         'configs/seg/skd/skd-full_pspnet_r18-d8_pspnet_r18-w16-d8_'
         '1xb8-1500i_cityscapes-mini.py', '2', '--work-dir', work,
         '--cfg-options', 'train_dataloader.dataset.indices=12',
         'train_dataloader.batch_size=2', 'val_dataloader.dataset.indices=4',
         'val_dataloader.batch_size=2', 'test_dataloader.dataset.indices=4',
         'test_dataloader.batch_size=2', 'test_after_train=True',
         'train_cfg.max_iters=3',
         'train_cfg.val_interval=3', 'default_hooks.logger.interval=1',
         f'model.teacher_checkpoint={ckpt}', f'model.student={student}'],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    for key in ('distill.loss_pi', 'distill.loss_pa', 'distill.loss_adv',
                'critic.loss', 'critic.loss_gp', 'decode.loss_ce', 'mIoU'):
        assert key in log, key
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    assert result['world_size'] == 2
    assert [r['iters_run'] for r in result['ranks']] == [3, 3]
    # validated on the holdout scenes, tested once on the `val` scenes
    assert 'mIoU' in result['metrics'] and 'mIoU' in result['test_metrics']
    # the exported student is the bare segmentor, not its DDP wrapper
    weights = load_checkpoint_file(osp.join(work, 'weights.pth'))
    plain = build_model(student_cfg, 'student')
    plain.load_state_dict(weights['state_dict'], strict=True)


def test_dist_train_netdistiller_two_cpu_processes(tmp_path, fmnist_ready):
    """NetDistiller's own train_step (two gradients, surgery, one
    all-reduce) under MMSeparateDistributedDataParallel with 2 processes;
    the exported weights are the plain tiny classifier's."""
    from kdbench.compat import load_checkpoint_file
    work = str(tmp_path / 'dist_tiny')
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh',
         'configs/tiny/netdistiller/netdistiller_mbv2-w0.35_1xb128-20e_'
         'canvas64-mini.py', '2', '--work-dir', work, '--cfg-options',
         'train_dataloader.dataset.indices=64',
         'train_dataloader.batch_size=16', 'val_dataloader.dataset.indices=32',
         'val_dataloader.batch_size=16', 'train_cfg.max_epochs=2',
         'train_cfg.val_interval=2', 'param_scheduler.1.end=2',
         'default_hooks.logger.interval=1',
         'default_hooks.checkpoint.interval=1'],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert 'conflict_ratio' in log and 'accuracy/top1' in log
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    assert result['world_size'] == 2
    # 64 images, batch 16 per rank: 2 iterations per epoch, 2 epochs
    assert [r['iters_run'] for r in result['ranks']] == [4, 4]
    weights = load_checkpoint_file(osp.join(work, 'weights.pth'))
    assert 'backbone.conv1.bn.norms.default.running_mean' in \
        weights['state_dict']


def test_dist_train_netaug_two_cpu_processes(tmp_path, fmnist_ready):
    """NetAug (one summed loss) under the default DDP wrapper with 2
    processes, BN statistics re-estimated on each rank and averaged."""
    work = str(tmp_path / 'dist_netaug')
    env = dict(os.environ, PYTHON=sys.executable, PORT=free_port())
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh',
         'configs/tiny/netaug/netaug_mbv2-w0.35_1xb128-10e_canvas64-mini.py',
         '2', '--work-dir', work, '--cfg-options',
         'train_dataloader.dataset.indices=64',
         'train_dataloader.batch_size=16', 'val_dataloader.dataset.indices=32',
         'val_dataloader.batch_size=16', 'train_cfg.max_epochs=2',
         'train_cfg.val_interval=2', 'param_scheduler.1.end=2',
         'default_hooks.logger.interval=1', 'custom_hooks.1.num_images=32'],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert 'aug.loss' in log and 'accuracy/top1' in log
    assert 'BN statistics re-estimated on 32 training images' in log
    with open(osp.join(work, 'result.json')) as f:
        result = json.load(f)
    assert [r['iters_run'] for r in result['ranks']] == [4, 4]


def test_export_rebuilds_wrappers_with_a_deploy_transform(tmp_path,
                                                          fmnist_ready):
    """Self-Guidance folds its survival probabilities into the exported
    weights: tools/export_student.py rebuilds the model from the config the
    checkpoint carries and gives exactly the run's own weights.pth (the
    plain student.* tensors would predict differently)."""
    config = ('configs/cls/self_guidance/'
              'self-guidance_r18-w8_1xb64-3e_fmnist-mini.py')
    work = str(tmp_path / 'sg')
    proc = run_tool(['tools/train.py', config, '--work-dir', work,
                     '--cfg-options', *TINY_OPTIONS])
    assert proc.returncode == 0, proc.stderr[-3000:]
    saved = torch.load(osp.join(work, 'weights.pth'),
                       weights_only=True)['state_dict']
    exported = str(tmp_path / 'exported.pth')
    proc = run_tool(['tools/export_student.py', '--trust',
                     osp.join(work, 'epoch_1.pth'), exported])
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours = torch.load(exported, weights_only=True)['state_dict']
    assert ours.keys() == saved.keys()
    for key, value in saved.items():
        assert torch.equal(ours[key], value), key
    raw = torch.load(osp.join(work, 'epoch_1.pth'), weights_only=False)
    folded = [k for k in saved
              if not torch.equal(raw['state_dict']['student.' + k], saved[k])]
    assert folded  # the transform changed some weights


def test_new_distiller_scaffold_writes_three_files(tmp_path):
    """tools/new_distiller.py writes a loss, a config and a test that
    parse, names what is left, and refuses to overwrite or a bad name."""
    import ast
    cmd = ['tools/new_distiller.py', 'l1logit', 'L1LogitLoss', '--root',
           str(tmp_path)]
    done = run_tool(cmd)
    assert done.returncode == 0, done.stderr
    paths = ['kdbench/losses/l1logit.py', 'tests/test_l1logit.py',
             'configs/cls/l1logit/'
             'l1logit_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py']
    for path in paths:
        tree = ast.parse((tmp_path / path).read_text())
        assert tree.body, path
    assert '@MODELS.register_module()\nclass L1LogitLoss(DistillLoss)' in \
        (tmp_path / paths[0]).read_text()
    assert "type='kdbench.L1LogitLoss'" in (tmp_path / paths[2]).read_text()
    assert 'configs/benchmarks/cls_mini.py' in done.stdout
    again = run_tool(cmd)
    assert again.returncode == 2 and 'exist' in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    bad = run_tool(['tools/new_distiller.py', 'L1', 'l1loss', '--root',
                    str(tmp_path)])
    assert bad.returncode == 2 and 'Method id' in bad.stderr


def test_leaderboard_tool_renders_what_the_suites_declare(tmp_path):
    """tools/leaderboard.py reads the comparisons and shared settings of
    the records' suites, from configs/benchmarks/ only: a suite path
    elsewhere (a config is code) is not read."""
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from leaderboard import suite_options
    evil = tmp_path / 'evil.py'
    marker = tmp_path / 'ran'
    evil.write_text(f'open({str(marker)!r}, "w").close()\n'
                    'comparisons = [("a", "b")]\n')
    records = [dict(task='classification',
                    suite='configs/benchmarks/cls_mini.py'),
               dict(task='classification', suite=str(evil)),
               dict(task='classification',
                    suite='configs/benchmarks/../../' + osp.relpath(
                        evil, REPO)),
               dict(task='detection',
                    suite='configs/benchmarks/det_gfl_coco_mini.py')]
    comparisons, share, grids = suite_options(records, 'classification',
                                              REPO)
    assert grids['dkd']['optim_wrapper.optimizer.lr'][0] == 0.00625
    assert grids['kd']['optim_wrapper.optimizer.lr'][0] == 0.025
    assert ('kd_cached', 'kd') in comparisons and ('a', 'b') not in \
        comparisons
    assert share['kd_cached'] == 'kd' and share['dist_cached'] == 'dist'
    assert not marker.exists()
