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
