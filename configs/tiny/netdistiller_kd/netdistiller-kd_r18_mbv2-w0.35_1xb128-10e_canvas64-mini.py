# NetDistiller + external-teacher KD (method id `netdistiller_kd`): the
# NetDistiller recipe without UD, as the paper's Table 5 runs its KD
# experiments (netdistiller-no-ud_mbv2-w0.35_1xb128-10e_canvas64-mini.py,
# 10 epochs), plus the `kd` teacher (the mini-pretraining ResNet-18, cached by
# tools/benchmark.py as the suite's teacher): KD at T = 1 with weight 1 joins
# the student's loss for every image, so gradient surgery treats it as part
# of the student's gradient.
_base_ = ['../netdistiller/netdistiller-no-ud_mbv2-w0.35_1xb128-10e_canvas64-mini.py']
model = dict(
    teacher='configs/pretrain/resnet18_1xb128-2e_fmnist-canvas64.py',
    teacher_checkpoint='work_dirs/teachers/'
    'resnet18_1xb128-2e_fmnist-canvas64/weights.pth',
    teacher_kd=dict(tau=1.0, loss_weight=1.0))
