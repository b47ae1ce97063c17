"""Extract the deployable weights from a training checkpoint.

    python tools/export_student.py work_dirs/x/epoch_3.pth out/weights.pth

For a distiller checkpoint this keeps the ``student.*`` weights (prefix
removed); for a plain model it keeps the whole state_dict. The output holds
only tensors and plain metadata and loads with weights_only=True into the
plain student config. (Training already writes <work_dir>/weights.pth.)
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def export(src: str, dst: str, trust: bool = False) -> int:
    from kdbench.compat import load_checkpoint_file, save_weights
    from kdbench.utils.cli import UserInputError
    loaded = load_checkpoint_file(src, 'cpu',
                                  weights_only=False if trust else None)
    state = loaded.get('state_dict', loaded)
    student = {k[len('student.'):]: v for k, v in state.items()
               if k.startswith('student.')}
    if not student:
        if any(k.startswith(('teacher.', 'connectors.')) for k in state):
            raise UserInputError(f'{src} has no student.* weights.')
        student = dict(state)
    save_weights(student, dst, dict(source=osp.basename(src)))
    return len(student)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='training checkpoint (.pth)')
    parser.add_argument('out', help='output weights file')
    parser.add_argument('--trust', action='store_true',
                        help='allow full unpickling of the checkpoint (only '
                        'for files you trust; needed for mmengine training '
                        'checkpoints from another machine)')
    args = parser.parse_args(argv)
    from kdbench.utils.cli import report_user_errors
    with report_user_errors():
        import kdbench  # noqa: F401
        count = export(args.checkpoint, args.out, args.trust)
        print(f'Wrote {count} tensors to {args.out}')


if __name__ == '__main__':
    main()
