# FSP (method id `fsp`), METHODS.md §1.7, Yim et al. CVPR 2017: stage 1
# minimises only the FSP loss (Gram matrices between the first and last
# feature map of each section, L2 over sections with equal weights); stage 2
# trains the whole student with its cross-entropy from that initialisation.
# Sections: stage outputs layer1->layer2, layer2->layer3, layer3->layer4
# (the larger map max-pooled to the smaller). Deviation: FSP needs equal
# channel widths, the w8 student is half as wide as the w16 teacher, so each
# student tap gets a 1x1 conv + BN connector to the teacher's channels
# (trained in stage 1, discarded). Budget: 1 epoch FSP + the baseline's 3
# epochs of CE (4 epochs of student forwards, 1 with the teacher).
# Loss: per-entry mean of the squared FSP difference (reduction='mean'),
# weight 1 per section (chosen: the paper's summed form is 10^2-10^3 here
# and diverges at the schedule's lr 0.1).
_base_ = ['../../_base_/distillers/r18-w16_r18-w8_fmnist-mini_stages.py']
budget = '1 ep FSP + 3 ep CE'
_adapter = dict(type='kdbench.ConvAdapter')
model = dict(
    distill_losses={
        f'fsp{i}': dict(type='kdbench.FSPLoss', reduction='mean', loss_weight=1.0,
                        student=[f'backbone.layer{i}',
                                 f'backbone.layer{i + 1}'],
                        teacher=[f'backbone.layer{i}',
                                 f'backbone.layer{i + 1}'],
                        connector=[_adapter, _adapter])
        for i in (1, 2, 3)
    },
    stages=[
        dict(name='fsp', end=1, losses=['fsp1', 'fsp2', 'fsp3'],
             task_loss=False, trainable=['student.backbone', 'connectors']),
        dict(name='task', end=4, trainable=['student']),
    ])
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
# one cosine cycle per stage (the task stage restarts at the base lr)
param_scheduler = [
    dict(type='CosineRestartLR', periods=[1, 3], restart_weights=[1, 1],
         eta_min=1e-3, by_epoch=True, convert_to_iter_based=True),
]
