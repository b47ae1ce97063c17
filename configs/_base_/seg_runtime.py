# Runtime of every segmentation config: mmseg scope and visualizer on top of
# kdbench's shared runtime (weights.pth / result.json hooks).
_base_ = ['./default_runtime.py']
default_scope = 'mmseg'
default_hooks = dict(visualization=dict(type='SegVisualizationHook'))
visualizer = dict(type='SegLocalVisualizer',
                  vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
log_processor = dict(by_epoch=False)
