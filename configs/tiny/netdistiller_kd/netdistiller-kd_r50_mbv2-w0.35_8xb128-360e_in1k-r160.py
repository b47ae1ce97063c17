# NetDistiller + external-teacher KD (method id `netdistiller_kd`) for
# MobileNetV2 x0.35 on ImageNet at 160 px: the NetDistiller recipe of
# netdistiller_mbv2-w0.35_8xb128-360e_in1k-r160.py (3x weight-sharing
# teacher, gradient surgery, uncertainty-aware distillation at 3.75 bits,
# 360 + 5 epochs, lr 0.4 at batch 1024) plus the `kd` teacher, mmpretrain's
# ResNet-50 (METHODS.md §5.2 Table 5's external teacher): KD at T = 1 with
# weight 1 joins the student's loss for every image, so gradient surgery
# treats it as part of the student's gradient. The teacher's weights are a
# file the user supplies, not downloaded at build time: see
# configs/tiny/kd/kd_r50_mbv2-w0.35_16xb128-150e_in1k-r160.py.
_base_ = ['../netdistiller/netdistiller_mbv2-w0.35_8xb128-360e_in1k-r160.py']
model = dict(
    teacher='configs/cls/teacher/r50_8xb32-100e_in1k.py',
    teacher_checkpoint='checkpoints/'
    'resnet50_8xb32_in1k_20210831-ea4938fc.pth',
    teacher_kd=dict(tau=1.0, loss_weight=1.0))
