# NetDistiller (method id `netdistiller`), METHODS.md §5.2, on the mini
# tiny track: the tiny MobileNetV2 x0.35 distilled in situ from a
# weight-sharing teacher with 3x the channels (separate BNs), gradient
# surgery on every shared tensor, uncertainty-aware distillation (UD).
# Budget: 20 epochs, twice the plain network's, as the paper trains UD for
# 360 epochs against 180; compared with `baseline_20e`.
# UD threshold: the paper's 3.75 bits for 1000 classes is 0.376 of the
# maximum entropy; for these 10 classes the same fraction is 1.25 bits
# (3.75 bits would exceed log2(10) = 3.32 and never distill).
# Label warm-up (kdbench.NetDistillerScheduleHook): for the first epoch
# (0.05 of 20) the student learns from the labels alone. The in-situ
# teacher starts from scratch too: at first its outputs are near uniform
# and every student entropy is above the threshold, so without the warm-up
# the student's only signal would be the KL to a chance-level teacher (the
# paper distills from step 0 over 360 epochs; a 20-epoch run cannot spare
# the steps).
# Gradient clipping: the paper clips at 1.0 with lr 0.4, which bounds a
# step at lr x max_norm = 0.4. At the mini lr 0.025 the same bound is
# max_norm 16. Clipping at 1.0 here shrank the steps ~20x (gradient norms
# 14-25 in epochs 1-3) and the teacher stayed at chance (loss 2.35) for 3
# epochs; at 16 it learns as the unclipped one does (2-epoch check: teacher
# loss 1.89 vs 1.93 at the end). The suite tunes the lr with max_norm
# moving along (0.4 / lr), so every setting keeps the paper's bound.
# weights.pth holds the deployed student.
_base_ = ['../baseline/mbv2-w0.35_1xb128-20e_canvas64-mini.py']
model = dict(
    type='kdbench.NetDistillerClassifier',
    backbone=dict(width_mults=(1.0, 3.0), norm_sets=('student', 'teacher')),
    teacher_width=3.0,
    uncertainty_threshold=1.25,
    gradient_surgery=True)
optim_wrapper = dict(clip_grad=dict(max_norm=16.0))
custom_hooks = [
    dict(type='kdbench.NetDistillerScheduleHook', label_warmup=0.05)]
# train_step is the model's own (two gradients, surgery, one all-reduce)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
budget = '20 ep (2x, the paper\'s schedule with UD)'
