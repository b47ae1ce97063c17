"""tools/analysis/distill_overhead.py prints its three timings and ratio."""
import re

from conftest import KD_CFG, run_tool


def test_overhead_script_prints_ratio(fmnist_ready, tmp_path):
    proc = run_tool(['tools/analysis/distill_overhead.py', KD_CFG,
                     '--iters', '3', '--warmup', '1', '--random-teacher',
                     '--cfg-options', 'train_dataloader.dataset.indices=512',
                     f'model.teacher_checkpoint={tmp_path}/untrained.pth'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for label in ('distill train step', 'student train step',
                  'teacher inference'):
        assert re.search(label + r'\s+:\s+[\d.]+ ms', out), out
    ratio = float(re.search(r'= ([\d.]+)', out).group(1))
    assert 0.3 < ratio < 5.0


def test_detection_overhead_script_prints_both_ratios():
    proc = run_tool(['tools/analysis/det_distill_overhead.py', '--iters',
                     '1', '--warmup', '0', '--random-teacher', '--configs',
                     'configs/det/chen/chen-hint_faster-rcnn_r18_faster-'
                     'rcnn_r18-w16_1xb8-3e_coco-mini.py'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    a = re.search(r'\(a\) LD train step: kdbench [\d.]+ ms, mmdet '
                  r'KnowledgeDistillationSingleStageDetector [\d.]+ ms; '
                  r'ratio ([\d.]+)', out)
    assert a and 0.2 < float(a.group(1)) < 5.0, out
    b = re.search(r'chen-hint_\S+: distill [\d.]+ ms, student [\d.]+ ms, '
                  r'teacher [\d.]+ ms; ratio ([\d.]+)', out)
    assert b and 0.2 < float(b.group(1)) < 5.0, out
