"""Born-Again Networks: generations of one architecture, each taught by
the previous one (Furlanello et al., ICML 2018, arXiv:1805.04770;
METHODS.md §2.1).

The distiller holds the network being trained (``student``, the generation
S_k) and, from generation 1 on, a frozen copy of the previous generation
(``teacher`` = S_{k-1}). It does not switch generations by itself:
``kdbench.BornAgainHook`` does that at the generation boundaries of one
training run (see ``kdbench/engine/hooks/born_again_hook.py``).
"""
import copy
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from kdbench.recorders import ModuleOutputRecorder
from kdbench.registry import MODELS
from .model_refs import build_model, wrapper_preprocessor
from .paired_init import init_like_plain, rng_after_build
from .single_teacher import DistillerConfigError, load_teacher_weights


@MODELS.register_module()
class BornAgainDistiller(BaseModel):
    r"""Born-Again Networks (BAN), one generation at a time.

    Generation 0 (S_0, the paper's T) trains on the labels only. Generation
    k ≥ 1 is a freshly initialised network of the same config, trained on

    .. math::
        L_k = w_{ce} \cdot \mathrm{CE}(y, p(z^{S_k}))
              + w \cdot T^2 \cdot \mathrm{KL}\big(p(z^{S_{k-1}}/T)
              \,\|\, p(z^{S_k}/T)\big)

    (``w_ce = student_loss_weight``; the KD term is ``distill_loss``,
    Hinton's soft-target KL, default T = 1, w = 1). The paper's objective
    is the cross-entropy to the teacher's output distribution, which equals
    this KL up to the teacher's entropy (same gradient). Whether its main
    runs add the label term is not verified (METHODS §2.1), so both are
    configs: ``student_loss_weight=1`` (KD + CE, method id ``ban``; the
    lecture says later generations use both objectives) and ``0`` (KD only,
    the ablation). The CWTM / DKPP variants of the paper are not
    implemented.

    The teacher S_{k-1} runs online on the same augmented batch, in eval
    mode and under ``no_grad``; it is not a registered submodule (outside
    ``parameters()``, the optimizer, DDP and ``state_dict()``), so a
    checkpoint holds the current generation only and
    ``kdbench.BornAgainHook`` restores the teacher from
    ``work_dir/gen{k-1}/weights.pth`` on ``--resume``.

    Args:
        student: model dict or config reference (see ``model_refs``); every
            generation is a new network built from it.
        distill_loss: config of the KD loss between the generations' logits
            (default ``kdbench.KDLoss`` with T = 1, weight 1).
        student_loss_weight: weight of the student's own task loss in
            generations ≥ 1 (generation 0 always uses weight 1).
        logits: tap of the class logits, the same path in both generations.
        data_preprocessor: as :class:`SingleTeacherDistiller`.
    """

    def __init__(self,
                 student: Union[str, dict],
                 distill_loss: Optional[dict] = None,
                 student_loss_weight: float = 1.0,
                 logits: str = 'head.fc',
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        self._student_ref = copy.deepcopy(student)
        self._default_dp = (dict(data_preprocessor)
                            if isinstance(data_preprocessor, dict) else None)
        student_model = build_model(student, 'student',
                                    default_preprocessor=self._default_dp)
        student_rng = rng_after_build()
        super().__init__(data_preprocessor=wrapper_preprocessor(
            data_preprocessor, student_model), init_cfg=init_cfg)
        self.student = student_model
        self._student_rng = student_rng
        object.__setattr__(self, 'teacher', None)
        self.teacher_recorder: Optional[ModuleOutputRecorder] = None
        if student_loss_weight < 0:
            raise DistillerConfigError(
                f'student_loss_weight must be >= 0 (1.0 = KD + CE, 0.0 = KD '
                f'only), got {student_loss_weight}.')
        self.student_loss_weight = float(student_loss_weight)
        self.distill_loss = MODELS.build(
            distill_loss if distill_loss is not None else
            dict(type='kdbench.KDLoss', tau=1.0, loss_weight=1.0))
        self.logits = logits
        # validates the tap now, with the closest valid paths on a typo
        self.student_recorder = ModuleOutputRecorder(self.student, [logits],
                                                     'student')
        #: index of the generation being trained; set by BornAgainHook
        self.generation: Optional[int] = None

    def init_weights(self) -> None:
        """The student first, drawn as a plain run of the same seed would
        (kdbench.distillers.paired_init), then everything else."""
        init_like_plain(self.student, self._student_rng)
        super().init_weights()

    # --------------------------------------------------------- generations
    def build_network(self) -> nn.Module:
        """A new network of the student's config (weights as built; call
        ``init_weights()`` or load a state), on the student's device and
        floating dtype. Building it leaves the global RNG untouched."""
        with torch.random.fork_rng(devices=[]):
            network = build_model(self._student_ref, 'student',
                                  default_preprocessor=self._default_dp)
        reference = next(self.student.parameters())
        return network.to(device=reference.device, dtype=reference.dtype)

    def _ensure_teacher(self) -> nn.Module:
        if self.teacher is None:
            teacher = self.build_network()
            object.__setattr__(self, 'teacher', teacher)
            self.teacher_recorder = ModuleOutputRecorder(
                teacher, [self.logits], 'teacher')
        self.teacher.eval()
        self.teacher.requires_grad_(False)
        return self.teacher

    def set_teacher(self, state_dict: Dict[str, torch.Tensor]) -> None:
        """Make the frozen teacher hold these weights (strict loading)."""
        self._ensure_teacher().load_state_dict(state_dict)

    def load_teacher(self, checkpoint: str) -> None:
        """Load the teacher from a weights file (``gen{k}/weights.pth``)."""
        load_teacher_weights(self._ensure_teacher(), checkpoint)

    def reinitialize_student(self, seed: int) -> None:
        """Give the student fresh weights: a network built from its config
        and initialised by mmengine's ``init_weights()`` under ``seed``
        (BatchNorm statistics included). The values are copied into the
        existing parameters, so the optimizer, DDP and the taps keep
        pointing at them; the global RNG streams are left untouched."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            fresh = build_model(self._student_ref, 'student',
                                default_preprocessor=self._default_dp)
            fresh.init_weights()
        self.student.load_state_dict(fresh.state_dict())

    def begin_generation(self, generation: int, seed: int) -> None:
        """Start generation ``generation`` ≥ 1: the current student (the
        finished S_{k-1}) becomes the frozen teacher and the student is
        re-initialised with ``seed``."""
        if generation < 1:
            raise ValueError(f'generation {generation}: only generations >= '
                             f'1 have a teacher')
        self.set_teacher(self.student.state_dict())
        self.reinitialize_student(seed)
        self.generation = generation

    # ------------------------------------------------------ device / mode
    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        if self.teacher is not None:
            self.teacher._apply(fn, *args, **kwargs)
        return self

    def train(self, mode: bool = True):
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()
        return self

    # ------------------------------------------------------------ forward
    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.student(inputs, data_samples, mode=mode)

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        if self.generation is None:
            raise DistillerConfigError(
                'BornAgainDistiller trains in generations switched by '
                "kdbench.BornAgainHook: add dict(type='kdbench.BornAgainHook'"
                ', epochs_per_generation=E) to custom_hooks and set '
                'train_cfg.max_epochs = generations x E.')
        if self.generation == 0:
            # S_0 learns from the labels alone
            return {f'student.{key}': value for key, value in
                    self.student(inputs, data_samples, mode='loss').items()}
        if self.teacher is None:
            raise RuntimeError(f'generation {self.generation} has no teacher; '
                               f'start it with begin_generation()')
        with self.student_recorder.recording(), \
                self.teacher_recorder.recording():
            with torch.no_grad():
                self.teacher(inputs, data_samples, mode='tensor')
            losses = {}
            for key, value in self.student(inputs, data_samples,
                                           mode='loss').items():
                if 'loss' in key:
                    value = value * self.student_loss_weight
                losses[f'student.{key}'] = value
            losses['distill.loss_kd'] = self.distill_loss(
                self.student_recorder.get(self.logits),
                self.teacher_recorder.get(self.logits))
        return losses

    # ----------------------------------------------------------- ensemble
    @torch.no_grad()
    def ensemble_predict(self, inputs: torch.Tensor, data_samples: list,
                         members: List[nn.Module]) -> list:
        """BAN ensemble (paper §3.2): the mean of the members' softmax
        outputs (at T = 1) as ``pred_score``, its argmax as ``pred_label``
        (mmpretrain ``DataSample`` fields), set on ``data_samples``."""
        probs = torch.stack([
            F.softmax(member(inputs, mode='tensor').float(), dim=1)
            for member in members]).mean(dim=0)
        for sample, score in zip(data_samples, probs):
            sample.set_pred_score(score).set_pred_label(
                score.argmax(dim=0, keepdim=True))
        return data_samples
