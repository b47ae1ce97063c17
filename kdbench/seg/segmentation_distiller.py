"""Distillation of mmseg segmentors (Structured KD's pixel-wise and
pair-wise terms, and any tap-based loss)."""
import torch

from kdbench.distillers.single_teacher import SingleTeacherDistiller
from kdbench.registry import MODELS


@MODELS.register_module()
class SegmentationDistiller(SingleTeacherDistiller):
    """:class:`SingleTeacherDistiller` for mmseg segmentors: the student's
    ground-truth label maps are handed to the losses that take a ``gt``
    argument (``kdbench.PixelwiseKDLoss`` masks ignored pixels with it).

    Typical taps: ``decode_head.conv_seg`` (the logit map, 1/8 of the input
    for the -d8 models; mmseg calls ``decode_head.forward`` directly, so
    ``decode_head`` itself never fires a hook) for the pixel-wise term and
    ``decode_head.bottleneck`` (PSP / ASPP fused feature) for the pair-wise
    term. The teacher runs its ``tensor`` forward (backbone and decode head)
    once per batch under ``no_grad``; the student's own losses (decode and
    auxiliary heads) are mmseg's.
    """

    def loss_context(self, inputs, data_samples) -> dict:
        """The label maps, (N, H, W), as ``gt`` (for the losses that name
        it, kdbench.distillers.loss_context)."""
        if 'gt' not in self.context_wanted:
            return {}
        return dict(gt=torch.stack([sample.gt_sem_seg.data[0]
                                    for sample in data_samples]))
