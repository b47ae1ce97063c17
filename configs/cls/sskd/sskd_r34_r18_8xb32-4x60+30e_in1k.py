# SSKD on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.9, seed 002,
# Table 6: 69.57 -> 71.36, teacher 73.55): each backbone stage (stage 1 with
# the stem) mimics the teacher's stage output in turn, squared L2 (element
# mean), no labels, earlier stages frozen (BN in eval mode: our choice).
# Paper schedule per stage: SGD momentum 0.9, lr 0.01, 60 epochs, x0.1 at
# epochs 18/36/54 (the paper's plateau rule, as its ImageNet text states).
# stages have equal widths, so no a_i connector. The head
# schedule is not given: 30 epochs restarting at lr 0.01, x0.1 at 10/20
# (our choice), backbone frozen. TrainingStageHook(restart_lr=True) resets
# the lr at each stage start; each stage's MultiStepLR counts from `begin`.
_base_ = ['../../_base_/distillers/r34_r18_in1k_stages.py']
budget = '4 × 60 ep stage mimicking + 30 ep head'
_stage_params = {
    1: ['student.backbone.conv1', 'student.backbone.bn1',
        'student.backbone.layer1'],
    2: ['student.backbone.layer2'],
    3: ['student.backbone.layer3'],
    4: ['student.backbone.layer4'],
}
model = dict(
    distill_losses={
        f'sskd{i}': dict(type='kdbench.HintLoss', reduction='mean',
                         loss_weight=1.0, student=f'backbone.layer{i}',
                         teacher=f'backbone.layer{i}')
        for i in (1, 2, 3, 4)
    },
    stages=[
        dict(name=f'mimic_stage{i}', end=60 * i, losses=[f'sskd{i}'],
             task_loss=False, trainable=_stage_params[i])
        for i in (1, 2, 3, 4)
    ] + [dict(name='head', end=270, trainable=['student.head'])])
train_cfg = dict(max_epochs=270)
optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, begin=60 * (i - 1), end=60 * i,
         milestones=[18, 36, 54], gamma=0.1) for i in (1, 2, 3, 4)
] + [dict(type='MultiStepLR', by_epoch=True, begin=240, end=270,
          milestones=[10, 20], gamma=0.1)]
custom_hooks = [
    dict(type='kdbench.TrainingStageHook', restart_lr=True),
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]
