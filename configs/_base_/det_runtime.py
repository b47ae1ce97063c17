# Runtime of every detection config: mmdet scope and visualizer on top of
# kdbench's shared runtime (weights.pth / result.json hooks).
_base_ = ['./default_runtime.py']
default_scope = 'mmdet'
default_hooks = dict(visualization=dict(type='DetVisualizationHook'))
visualizer = dict(type='DetLocalVisualizer',
                  vis_backends=[dict(type='LocalVisBackend')],
                  name='visualizer')
log_processor = dict(type='LogProcessor', window_size=25, by_epoch=True)
