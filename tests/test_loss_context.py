"""What a loss asks for by name reaches it (labels, ground truth, training
progress), and a config's ``weight_schedule`` scales a loss over training
without code in the loss."""
import pytest
import torch
from mmengine.logging import MessageHub

import kdbench  # noqa: F401
from kdbench.distillers import DistillerConfigError
from kdbench.losses import DistillLoss, LossWeightWarmup
from kdbench.registry import MODELS

from test_distiller import KD, batch, make

SEEN = []


@MODELS.register_module(force=True)
class _ContextProbeLoss(DistillLoss):
    """Records the context it names; returns the mean student logit."""

    def forward(self, student, teacher, labels=None, epoch=None,
                iteration=None, progress=None, max_epochs=None):
        SEEN.append(dict(labels=labels, epoch=epoch, iteration=iteration,
                         progress=progress, max_epochs=max_epochs))
        return self.loss_weight * student.mean()


PROBE = dict(type='_ContextProbeLoss', student='head.fc', teacher='head.fc')


def _set_progress(iteration, epoch, max_iters=200, max_epochs=20):
    hub = MessageHub.get_current_instance()
    for key, value in dict(iter=iteration, epoch=epoch, max_iters=max_iters,
                           max_epochs=max_epochs).items():
        hub.update_info(key, value)


def _losses(model, seed=0):
    model.train()
    data = model.data_preprocessor(batch(seed=seed), True)
    return model(**data, mode='loss')


def test_a_loss_receives_labels_and_progress_it_names(random_teacher_ckpt):
    model = make(random_teacher_ckpt, distill_losses=dict(probe=PROBE))
    _set_progress(iteration=57, epoch=5)
    SEEN.clear()
    _losses(model)
    seen = SEEN[-1]
    # batch(): sample i has class i % 10
    assert seen['labels'].tolist() == [i % 10 for i in range(8)]
    assert (seen['epoch'], seen['iteration'], seen['max_epochs']) == \
        (5, 57, 20)
    assert seen['progress'] == pytest.approx(57 / 200)
    # a loss that names none of it gets none of it (and KD still works)
    plain = make(random_teacher_ckpt)
    assert plain.context_wanted.isdisjoint({'labels', 'epoch', 'iteration'})
    assert torch.isfinite(_losses(plain)['distill.loss_kd'])


def test_warmup_factor_by_epoch_and_by_iteration():
    warm = LossWeightWarmup(length=20)
    # DKD's official min(epoch / 20, 1) with epochs counted from 1
    assert [warm(iteration=0, epoch=e) for e in (0, 1, 9, 19, 30)] == \
        [1 / 20, 2 / 20, 10 / 20, 1.0, 1.0]
    by_iter = LossWeightWarmup(length=4, by_epoch=False)
    assert [by_iter(iteration=i, epoch=7) for i in range(6)] == \
        [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError, match='positive integer'):
            LossWeightWarmup(length=bad)


def test_weight_schedule_scales_the_loss_it_is_given_to(random_teacher_ckpt):
    scheduled = dict(KD, weight_schedule=dict(type='kdbench.LossWeightWarmup',
                                              length=10))
    model = make(random_teacher_ckpt, distill_losses=dict(
        kd=scheduled, kd_plain=KD))
    for epoch, factor in ((0, 0.1), (3, 0.4), (12, 1.0)):
        _set_progress(iteration=epoch * 10, epoch=epoch)
        losses = _losses(model)
        assert losses['distill.loss_kd'].item() == pytest.approx(
            factor * losses['distill.loss_kd_plain'].item(), rel=1e-6)
    assert losses['distill.loss_kd_plain'].item() > 0


def test_a_bad_weight_schedule_is_refused_at_build(random_teacher_ckpt):
    with pytest.raises(DistillerConfigError, match='not a registered'):
        make(random_teacher_ckpt, distill_losses=dict(kd=dict(
            KD, weight_schedule=dict(type='NoSuchWarmup', length=3))))
    with pytest.raises(DistillerConfigError, match='not a LossWeightSched'):
        make(random_teacher_ckpt, distill_losses=dict(kd=dict(
            KD, weight_schedule=dict(type='kdbench.KDLoss'))))


def test_detection_losses_receive_the_ground_truth_boxes():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from kdbench.det.utils import detection_loss_context
    samples = []
    for k in range(2):
        sample = DetDataSample(metainfo=dict(img_shape=(32, 32)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[0.0, 0.0, 8.0 + k, 8.0]]),
            labels=torch.tensor([k]))
        samples.append(sample)
    context = detection_loss_context({'gt_instances', 'img_metas'}, samples)
    assert [g.labels.item() for g in context['gt_instances']] == [0, 1]
    assert context['gt_instances'][1].bboxes[0, 2].item() == 9.0
    assert context['img_metas'][0]['img_shape'] == (32, 32)
    assert detection_loss_context({'labels'}, samples) == {}
