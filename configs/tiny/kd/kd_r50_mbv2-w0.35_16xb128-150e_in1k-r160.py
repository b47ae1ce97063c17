# External-teacher KD (method id `kd` of the tiny track) for MobileNetV2
# x0.35 on ImageNet at 160 px: Hinton KD on the logits at T = 1 with
# weight 1 next to the label-smoothed CE (as the mini `kd` config), the
# baseline's data and schedule (150 + 5 epochs, lr 0.4 at batch 2048).
# Teacher: mmpretrain's ResNet-50 (76.55 top-1 at 224 px), the external
# teacher METHODS.md §5.2 names; it sees the student's 160 px crops (one
# pipeline feeds both). Its weights are NOT downloaded when the model is
# built: get mmpretrain's released file once (sha256 prefix ea4938fc),
#   mkdir -p checkpoints && wget -P checkpoints \
#     https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth
# or pass another path with --cfg-options model.teacher_checkpoint=PATH
# (configs/benchmarks/tiny_in1k.py passes its teacher file this way).
_base_ = ['../baseline/mbv2-w0.35_16xb128-150e_in1k-r160.py']
model = dict(
    _delete_=True,
    type='kdbench.SingleTeacherDistiller',
    student='configs/tiny/baseline/mbv2-w0.35_16xb128-150e_in1k-r160.py',
    teacher='configs/cls/teacher/r50_8xb32-100e_in1k.py',
    teacher_checkpoint='checkpoints/'
    'resnet50_8xb32_in1k_20210831-ea4938fc.pth',
    student_loss_weight=1.0,
    distill_losses=dict(
        kd=dict(type='kdbench.KDLoss', tau=1.0, loss_weight=1.0,
                student='head.fc', teacher='head.fc')))
