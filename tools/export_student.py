"""Extract the deployable weights from a training checkpoint.

    python tools/export_student.py work_dirs/x/epoch_3.pth out/weights.pth
        [--config CONFIG] [--trust]

The output holds only tensors and plain metadata, loads with
weights_only=True into the plain student config, and equals the
<work_dir>/weights.pth that training writes at its end:

* offline distillers (``student.*`` weights): the student prefix is removed;
* plain models: the whole state_dict;
* wrappers whose deployable network is one of several members or needs a
  deploy-time transform (online, self, born-again, NetAug, NetDistiller):
  the model is rebuilt from its config (``--config``, else the config the
  checkpoint carries) and exported as the training run does.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def _config_of(loaded: dict, src: str, config: str = None,
               trust: bool = False):
    """The training config: ``--config``, else the one the checkpoint
    carries, read as literals only (executed only with ``--trust``)."""
    from mmengine.config import Config
    from kdbench.utils.cli import UserInputError
    from kdbench.utils.literal_config import UnsafeConfigText, literal_config
    if config:
        return Config.fromfile(config)
    text = (loaded.get('meta') or {}).get('cfg')
    if not text:
        return None
    if not isinstance(text, str):
        raise UserInputError(f'{src}: meta.cfg is not a config text; pass '
                             f'the training config as --config.')
    if trust:
        return Config.fromstring(text, '.py')
    try:
        return literal_config(text)
    except UnsafeConfigText as err:
        raise UserInputError(
            f'{src} carries a config that is not plain literals ({err}), '
            f'and running it could execute code: pass the training config '
            f'as --config, or --trust if you trust the file.') from None


def _needs_rebuild(cfg) -> bool:
    """A kdbench wrapper whose deployable weights are not simply the
    ``student.*`` tensors of its checkpoint."""
    from kdbench.registry import MODELS
    model_type = cfg.model.get('type', '') if cfg is not None else ''
    if not str(model_type).startswith('kdbench.'):
        return False
    model_cls = MODELS.get(model_type)
    return model_cls is not None and not getattr(
        model_cls, 'exports_by_prefix', False)


def _rebuilt_state(cfg, state: dict, src: str) -> dict:
    from mmengine.registry import DefaultScope
    from kdbench.engine.hooks import deployable_state_dict
    from kdbench.registry import MODELS
    from kdbench.utils.cli import UserInputError
    model_cfg = cfg.model.to_dict()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(model_cfg)
    problems = model.load_state_dict(state, strict=False)
    if problems.missing_keys or problems.unexpected_keys:
        raise UserInputError(
            f'{src} does not fit the model of its config '
            f'({cfg.model.type}): missing {problems.missing_keys[:5]}, '
            f'unexpected {problems.unexpected_keys[:5]}. Pass the config it '
            f'was trained with as --config.')
    return deployable_state_dict(model)


def export(src: str, dst: str, trust: bool = False,
           config: str = None) -> int:
    from kdbench.compat import load_checkpoint_file, save_weights
    from kdbench.utils.cli import UserInputError
    from kdbench.compat import UntrustedCheckpointError
    try:
        loaded = load_checkpoint_file(src, 'cpu',
                                      weights_only=False if trust else None)
    except UntrustedCheckpointError:
        raise UserInputError(
            f'{src!r} holds pickled Python objects besides tensors (a full '
            f'training checkpoint), and unpickling it can run code: pass '
            f'--trust if you trust the file (e.g. your own run wrote it).'
        ) from None
    state = loaded.get('state_dict', loaded)
    cfg = _config_of(loaded, src, config, trust)
    if _needs_rebuild(cfg):
        weights = _rebuilt_state(cfg, state, src)
    else:
        weights = {k[len('student.'):]: v for k, v in state.items()
                   if k.startswith('student.')}
        if not weights:
            if any(k.startswith(('teacher.', 'connectors.')) for k in state):
                raise UserInputError(f'{src} has no student.* weights.')
            weights = dict(state)
    save_weights(weights, dst, dict(source=osp.basename(src)))
    return len(weights)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='training checkpoint (.pth)')
    parser.add_argument('out', help='output weights file')
    parser.add_argument('--config', help='the training config (default: the '
                        'one stored in the checkpoint)')
    parser.add_argument('--trust', action='store_true',
                        help='allow full unpickling of the checkpoint (only '
                        'for files you trust; needed for mmengine training '
                        'checkpoints from another machine)')
    args = parser.parse_args(argv)
    from kdbench.utils.cli import report_user_errors
    with report_user_errors():
        import kdbench  # noqa: F401
        count = export(args.checkpoint, args.out, args.trust, args.config)
        print(f'Wrote {count} tensors to {args.out}')


if __name__ == '__main__':
    main()
