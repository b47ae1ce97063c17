# Runtime of every segmentation config: mmseg scope and visualizer on top of
# kdbench's shared runtime (weights.pth / result.json hooks).
_base_ = ['./default_runtime.py']
default_scope = 'mmseg'
# kdbench.seg: the segmentation distillers and the mmseg shim of
# kdbench/compat.py (class-weighted cross-entropy with ignored pixels)
custom_imports = dict(imports=['kdbench', 'kdbench.seg'],
                      allow_failed_imports=False)
# segmentation schedules count iterations (mmseg): log and checkpoint by
# iteration; schedules or configs set the checkpoint interval
default_hooks = dict(
    logger=dict(log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval=250, max_keep_ckpts=1),
    visualization=dict(type='SegVisualizationHook'))
visualizer = dict(type='SegLocalVisualizer',
                  vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
log_processor = dict(by_epoch=False)
