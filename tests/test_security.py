"""Nothing runs code from a weights file unless the user opts in:
checkpoints that load with weights_only=True can still carry a config
text (meta.cfg), which is read as literals only."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from kdbench.utils.literal_config import UnsafeConfigText, literal_config

from conftest import REPO, run_tool

# one config of each family (wrappers, mmdet / mmseg references, tiny)
FAMILIES = ['cls/kd', 'cls/dml', 'cls/sskd', 'det/ld', 'det/chen',
            'seg/skd', 'tiny/netaug_kd', 'tiny/netdistiller']


@pytest.mark.parametrize('family', FAMILIES)
def test_literal_config_reads_what_mmengine_writes(family):
    path = sorted(glob.glob(osp.join(REPO, 'configs', family, '*.py')))[0]
    cfg = Config.fromfile(path)
    assert literal_config(cfg.pretty_text).to_dict() == \
        Config.fromstring(cfg.pretty_text, '.py').to_dict()


@pytest.mark.parametrize('text', [
    'import os',
    "x = __import__('os').system('true')",
    "x = open('f', 'w')",
    'x = dict(a=print(1))',
    'x = (lambda: 1)()',
    'x = os.path',
    'x = y',
    "x = dict(**{'a': 1})",
    "x = f'{1}'",
    'x, y = 1, 2',
    'def f():\n    pass',
    'x = [i for i in range(3)]',
    'x = 1 + 1',
    'x =',
])
def test_literal_config_refuses_anything_but_literals(text):
    with pytest.raises(UnsafeConfigText):
        literal_config(text)


def test_literal_config_values():
    cfg = literal_config(
        "a = dict(b=[1, -2.5, (None, True)], c={'d e': 'f'})\nz = -3")
    assert cfg.to_dict() == dict(a=dict(b=[1, -2.5, (None, True)],
                                        c={'d e': 'f'}), z=-3)


def _weights_file_with_cfg(path, cfg_text):
    torch.save({'state_dict': {'student.w': torch.zeros(2)},
                'meta': {'cfg': cfg_text}}, path)
    torch.load(path, weights_only=True)  # tensors and strings only


def test_export_student_never_executes_a_checkpoints_config(tmp_path):
    marker = tmp_path / 'marker'
    evil = tmp_path / 'evil.pth'
    _weights_file_with_cfg(evil, f"model = dict(type='x')\n"
                           f"open({str(marker)!r}, 'w').write('ran')\n")
    out = tmp_path / 'out.pth'
    proc = run_tool(['tools/export_student.py', str(evil), str(out)])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert not marker.exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and '--config' in lines[0] and \
        '--trust' in lines[0], proc.stderr
    assert not out.exists()


def test_export_student_reads_a_literal_config_without_trust(tmp_path):
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/cls/kd/kd_r18-w16_r18-w8_1xb64-3e_fmnist-mini.py'))
    src = tmp_path / 'ckpt.pth'
    _weights_file_with_cfg(src, cfg.pretty_text)
    out = tmp_path / 'out.pth'
    proc = run_tool(['tools/export_student.py', str(src), str(out)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list(torch.load(out, weights_only=True)['state_dict']) == ['w']


def test_export_student_refuses_a_config_that_is_not_text(tmp_path):
    src = tmp_path / 'odd.pth'
    torch.save({'state_dict': {'student.w': torch.zeros(2)},
                'meta': {'cfg': 42}}, src)
    proc = run_tool(['tools/export_student.py', str(src),
                     str(tmp_path / 'out.pth')])
    assert proc.returncode == 2
    assert 'meta.cfg is not a config text' in proc.stderr
    assert '--config' in proc.stderr
