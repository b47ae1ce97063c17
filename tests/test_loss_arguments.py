"""Every loss checks its numeric arguments when it is built, by one rule
set (kdbench.losses.arguments): a temperature of 0 used to train on NaN
and report a plausible score."""
import math
import os.path as osp

import pytest

import kdbench  # noqa: F401  (registries)
from kdbench import losses
from kdbench.losses.arguments import LossArgumentError

from conftest import REPO

SEG_PI = ('configs/seg/skd/'
          'skd-pi_pspnet_r18-d8_pspnet_r18-w16-d8_1xb8-1500i_cityscapes-mini.py')

TAU_LOSSES = [losses.KDLoss, losses.OnlineKDLoss, losses.DistributionKLLoss,
              losses.PixelwiseKDLoss, losses.WeightedSoftCELoss,
              losses.WeightedSoftBCELoss]


@pytest.mark.parametrize('loss', TAU_LOSSES)
@pytest.mark.parametrize('tau', [0, -1.0, math.nan, math.inf])
def test_every_temperature_must_be_positive_and_finite(loss, tau):
    with pytest.raises(LossArgumentError,
                       match=rf'^{loss.__name__}: tau must be a finite '
                       rf'number > 0 \(a temperature\), got'):
        loss(tau=tau)
    loss(tau=0.5)  # a valid one builds


ALL_LOSSES = [getattr(losses, name) for name in losses.__all__
              if isinstance(getattr(losses, name), type)
              and issubclass(getattr(losses, name), losses.DistillLoss)
              and name != 'DistillLoss']


#: the arguments a loss cannot be built without
REQUIRED = {'FactorTransferLoss': {'in_channels': 4},
            'CRDLoss': dict(num_samples=10, student_channels=4,
                            teacher_channels=4),
            'ReviewKDLoss': dict(student_channels=[4],
                                 teacher_channels=[4])}


def test_every_loss_file_is_covered():
    """A loss added as one new file is exported and checked here too."""
    import glob
    import os.path as osp
    modules = {osp.basename(p)[:-3] for p in glob.glob(osp.join(
        osp.dirname(losses.__file__), '*.py'))} - {'__init__', 'base',
                                                    'arguments'}
    covered = {c.__module__.rsplit('.', 1)[-1] for c in ALL_LOSSES}
    helpers = {'logit_standardization', 'weight_schedule', 'wgan_gp'}
    assert modules - helpers <= covered, modules - helpers - covered


@pytest.mark.parametrize('loss', ALL_LOSSES, ids=lambda c: c.__name__)
def test_every_loss_refuses_a_negative_or_nan_weight(loss):
    extra = REQUIRED.get(loss.__name__, {})
    for bad in (-1.0, math.nan, '1'):
        with pytest.raises(LossArgumentError, match='loss_weight must be'):
            loss(loss_weight=bad, **extra)
    loss(loss_weight=0.0, **extra)


@pytest.mark.parametrize('loss, kwargs, name', [
    (losses.ActivationBoundaryLoss, dict(margin=-1), 'margin'),
    (losses.ATLoss, dict(p=0), 'p'),
    (losses.ATLoss, dict(eps=0), 'eps'),
    (losses.NSTLoss, dict(degree=0), 'degree'),
    (losses.NSTLoss, dict(coef=math.inf), 'coef'),
    (losses.RKDLoss, dict(angle_weight=-50), 'angle_weight'),
    (losses.PairwiseAffinityLoss, dict(node_size=0), 'node_size'),
    (losses.PairwiseAffinityLoss, dict(node_size=None, pool_scale=-0.5),
     'pool_scale'),
    (losses.PixelwiseKDLoss, dict(class_weight=[1.0, -1.0]), 'class_weight'),
    (losses.WeightedSoftCELoss, dict(background_weight=math.nan),
     'background_weight'),
])
def test_named_arguments_follow_their_rule(loss, kwargs, name):
    with pytest.raises(LossArgumentError, match=rf': {name} must be'):
        loss(**kwargs)


def test_a_zero_temperature_from_a_config_fails_at_build():
    """The skd-pi config's pixel-wise loss with tau=0, built through the
    registry as the distiller builds it (end to end through tools/train.py
    for KD in test_reliability)."""
    from mmengine.config import Config

    from kdbench.registry import MODELS
    loss_cfg = Config.fromfile(osp.join(REPO, SEG_PI)).model.distill_losses.pi
    loss_cfg = {k: v for k, v in loss_cfg.items()
                if k not in ('student', 'teacher', 'connector')}
    MODELS.build(dict(loss_cfg))  # as configured: builds
    with pytest.raises(LossArgumentError, match='PixelwiseKDLoss: tau'):
        MODELS.build(dict(loss_cfg, tau=0))
