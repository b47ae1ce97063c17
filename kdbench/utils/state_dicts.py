"""Compare a weights file with the model it is meant for."""
from typing import Dict, List

import torch


def extract_state_dict(loaded) -> Dict[str, torch.Tensor]:
    """The state_dict of a loaded checkpoint (``{'state_dict': ...}`` or a
    bare dict), with DDP's ``module.`` prefix removed."""
    state = loaded.get('state_dict', loaded) if isinstance(loaded,
                                                           dict) else None
    if not isinstance(state, dict):
        raise ValueError('the file holds no state_dict')
    return {k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state.items()}


def state_dict_problems(expected: Dict[str, torch.Tensor],
                        loaded: Dict[str, torch.Tensor]) -> List[str]:
    """Why ``loaded`` does not fit a model whose state_dict is ``expected``:
    missing weights (BN's num_batches_tracked excepted), unexpected keys and
    shape mismatches, each with a few example keys. Empty if it fits."""
    missing = [k for k in expected if k not in loaded
               and not k.endswith('num_batches_tracked')]
    unexpected = [k for k in loaded if k not in expected]
    wrong = [f'{k}: file {tuple(loaded[k].shape)} vs model '
             f'{tuple(expected[k].shape)}' for k in expected
             if k in loaded and hasattr(loaded[k], 'shape')
             and loaded[k].shape != expected[k].shape]

    def few(keys):
        return ', '.join(keys[:4]) + (' ...' if len(keys) > 4 else '')

    problems = []
    if missing:
        problems.append(f'{len(missing)} model weights missing from the file '
                        f'({few(missing)})')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected keys in the file '
                        f'({few(unexpected)})')
    if wrong:
        problems.append(f'{len(wrong)} shape mismatches ({few(wrong)})')
    return problems


def load_weights_strictly(model: torch.nn.Module, checkpoint: str) -> int:
    """Load ``checkpoint`` (under kdbench's trust policy) into ``model``,
    refusing a file that does not fit it with a one-line
    :class:`~kdbench.utils.cli.UserInputError` (mmengine's ``load_from``
    only warns, and an evaluation would then score a partly random model).
    Returns the number of tensors loaded."""
    from kdbench.compat import load_checkpoint_file
    from kdbench.utils.cli import UserInputError
    try:
        state = extract_state_dict(load_checkpoint_file(checkpoint, 'cpu'))
    except ValueError as err:
        raise UserInputError(f'{checkpoint}: {err}.') from None
    problems = state_dict_problems(model.state_dict(), state)
    if problems:
        hint = (' It looks like a distiller checkpoint: test its '
                '<work_dir>/weights.pth, or extract the student with '
                'tools/export_student.py.' if any(
                    k.startswith('student.') for k in state) else '')
        raise UserInputError(
            f'{checkpoint} does not fit the model of this config: '
            + '; '.join(problems) + '.' + hint)
    model.load_state_dict(state, strict=False)
    return len(state)
