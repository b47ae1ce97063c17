"""kdbench registries are mmengine children usable next to mm* modules."""
from mmengine.registry import DATASETS as ROOT_DATASETS
from mmengine.registry import HOOKS as ROOT_HOOKS
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope

import kdbench  # noqa: F401
from kdbench.registry import DATASETS, HOOKS, MODELS


def test_children_of_mmengine_roots():
    for child, root in ((MODELS, ROOT_MODELS), (HOOKS, ROOT_HOOKS),
                        (DATASETS, ROOT_DATASETS)):
        assert child.scope == 'kdbench' and child.parent is root
        assert root._children['kdbench'] is child


def test_cross_scope_builds_in_one_config():
    # under each codebase's default scope, kdbench and other codebases'
    # types resolve through their scope prefixes
    for scope in ('mmpretrain', 'mmdet', 'mmseg'):
        with DefaultScope.overwrite_default_scope(scope):
            loss = ROOT_MODELS.build(dict(type='kdbench.KDLoss', tau=2.0))
            assert type(loss).__name__ == 'KDLoss' and loss.tau == 2.0
            det = ROOT_MODELS.build(dict(type='mmdet.ResNet', depth=18))
            seg = ROOT_MODELS.build(dict(type='mmseg.ResNetV1c', depth=18))
            cls = ROOT_MODELS.build(dict(type='mmpretrain.ResNet_CIFAR',
                                         depth=18))
            assert {type(m).__module__.split('.')[0]
                    for m in (det, seg, cls)} == {'mmdet', 'mmseg',
                                                  'mmpretrain'}
    hook = ROOT_HOOKS.build(dict(type='kdbench.StudentExportHook'))
    assert hook.filename == 'weights.pth'
    assert MODELS.get('SingleTeacherDistiller') is not None


def test_models_in_the_task_folders_are_found_without_custom_imports():
    """A fresh process that imports only kdbench finds the task folders'
    models by name: the registry imports its locations on lookup."""
    import subprocess
    import sys
    code = ('import sys, kdbench\n'
            'assert "kdbench.det" not in sys.modules\n'
            'from kdbench.registry import MODELS\n'
            'for name in ("DenseHeadDistiller", "ChenDistiller", '
            '"SegmentationDistiller"):\n'
            '    assert MODELS.get("kdbench." + name) is not None, name\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
