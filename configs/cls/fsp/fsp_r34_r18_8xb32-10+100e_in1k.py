# FSP on ImageNet-1k, ResNet-34 -> ResNet-18 (METHODS.md §1.7): 10 epochs of
# FSP loss only (our choice; the paper has no ImageNet schedule), then the
# standard 100-epoch CE recipe from that initialisation. Sections layer1->2,
# 2->3, 3->4; have equal widths, so no connector (as the
# paper requires). Summed FSP form per section with equal weights; its scale
# (10^2-10^3) is brought to CE level by loss_weight 1e-3 [our choice].
_base_ = ['../../_base_/distillers/r34_r18_in1k_stages.py']
budget = '10 ep FSP + 100 ep CE'
model = dict(
    distill_losses={
        f'fsp{i}': dict(type='kdbench.FSPLoss', loss_weight=1e-3,
                        student=[f'backbone.layer{i}',
                                 f'backbone.layer{i + 1}'],
                        teacher=[f'backbone.layer{i}',
                                 f'backbone.layer{i + 1}'])
        for i in (1, 2, 3)
    },
    stages=[
        dict(name='fsp', end=10, losses=['fsp1', 'fsp2', 'fsp3'],
             task_loss=False, trainable=['student.backbone']),
        dict(name='task', end=110, trainable=['student']),
    ])
train_cfg = dict(max_epochs=110)
# stage 1 at the base lr 0.1; the CE stage runs mmpretrain's step recipe
# (milestones count from `begin`)
param_scheduler = dict(type='MultiStepLR', by_epoch=True, begin=10, end=110,
                       milestones=[30, 60, 90], gamma=0.1)
