"""kdbench registries: children of mmengine's root registries, scope ``kdbench``.

Every registry below has mmengine's root registry as parent, so a config can
mix ``kdbench.X`` with ``mmpretrain.``, ``mmdet.`` and ``mmseg.`` types, and
``mmdet::``-style base configs can be inherited next to kdbench configs.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

# the packages a registry imports before it looks a ``kdbench.X`` type up:
# a class registered in any of them is found without ``custom_imports``
MODELS = Registry('model', parent=MMENGINE_MODELS, scope='kdbench',
                  locations=['kdbench.distillers', 'kdbench.losses',
                             'kdbench.connectors', 'kdbench.tiny',
                             'kdbench.cls', 'kdbench.det', 'kdbench.seg',
                             'kdbench.teacher_cache'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
                          scope='kdbench', locations=['kdbench.distillers'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='kdbench',
                 locations=['kdbench.engine.hooks', 'kdbench.tiny',
                            'kdbench.teacher_cache'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='kdbench',
                    locations=['kdbench.cls', 'kdbench.teacher_cache'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS,
                      scope='kdbench', locations=['kdbench.cls'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope='kdbench')
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, scope='kdbench',
    locations=['kdbench.engine.optimizers'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS,
    scope='kdbench', locations=['kdbench.engine.initializers'])
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS  # noqa: E402,E501

DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS,
                         scope='kdbench',
                         locations=['kdbench.teacher_cache'])
