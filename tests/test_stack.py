"""The pinned matrix is what is installed; CI runs the README's command."""
import os.path as osp
import re
from importlib.metadata import version

from conftest import REPO


def test_installed_versions_match_the_matrix():
    with open(osp.join(REPO, 'requirements', 'stack.txt')) as f:
        pins = dict(re.match(r'^([\w-]+)==(\S+)$', line.strip()).groups()
                    for line in f if '==' in line)
    assert {'torch', 'mmcv', 'mmdet', 'mmpretrain'} <= set(pins)
    for name, pinned in pins.items():
        assert version(name).split('+')[0] == pinned, name


def test_mmcv_ops_and_all_codebases_import():
    import mmcv.ops  # noqa: F401  (compiled ops)
    from mmcv.ops import RoIAlign, nms  # noqa: F401
    import mmdet, mmpretrain, mmseg  # noqa: F401,E401


def test_ci_runs_the_readme_test_command():
    with open(osp.join(REPO, 'README.md')) as f:
        readme = f.read()
    commands = re.findall(r'^(make \w+)\s+# set up if needed, then run the '
                          r'test suite', readme, re.M)
    assert commands == ['make test']
    with open(osp.join(REPO, '.ci', 'run')) as f:
        ci = [line.strip() for line in f
              if line.strip() and not line.startswith('#')]
    assert commands[0] in ci
