# Runtime shared by every kdbench config (all tasks). Task runtimes under
# _base_/ set the default scope (mmpretrain / mmdet / mmseg).
custom_imports = dict(imports=['kdbench'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
# weights.pth (student or plain model, weights only) and result.json are
# written at the end of every training run; checkpoints carry the random
# states, so --resume continues the interrupted run's streams exactly.
custom_hooks = [
    dict(type='kdbench.StudentExportHook'),
    dict(type='kdbench.RunResultHook'),
    dict(type='kdbench.RNGStateHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),  # switched to gloo on CPU by kdbench
)

vis_backends = [dict(type='LocalVisBackend')]
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
