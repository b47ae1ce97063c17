_base_ = ['./default_runtime.py']
default_scope = 'mmpretrain'
default_hooks = dict(visualization=dict(type='VisualizationHook',
                                        enable=False))
visualizer = dict(type='UniversalVisualizer',
                  vis_backends=[dict(type='LocalVisBackend')])
log_processor = dict(window_size=10)
