# KD from two teachers of different architectures (method id `ens_kd`):
# the main teacher R-18 w16 (basic blocks) and R-50 w8 (bottleneck
# blocks), student R-18 w8. kdbench.EnsembleKDLoss on the average of the
# two softened distributions (equal weights), the `kd` recipe otherwise:
# T = 4, KD weight 0.9, CE weight 0.1.
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini.py']
model = dict(
    type='kdbench.MultiTeacherDistiller',
    extra_teachers=dict(
        r50=dict(model='configs/_base_/models/resnet50-w8_fmnist.py',
                 checkpoint='work_dirs/teachers/'
                 'r50-w8_1xb128-30e_fmnist-mini/weights.pth')),
    student_loss_weight=0.1,
    distill_losses=dict(
        ens=dict(type='kdbench.EnsembleKDLoss', tau=4.0, loss_weight=0.9,
                 student='head.fc', teacher=['main.head.fc',
                                             'r50.head.fc'])))
