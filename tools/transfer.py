"""Fine-tune every pretraining run's backbone on every downstream task and
render the transfer matrix.

    python tools/transfer.py configs/benchmarks/transfer_mini.py

Reads the recorded runs of the suite's pretraining suite (run
``tools/benchmark.py`` on it first), trains each downstream config with the
backbone loaded from each run's weights.pth (same seed), appends one record
per finished run to leaderboards/records.jsonl (tasks transfer_det /
transfer_seg / transfer_cls), skips recorded runs, and writes the matrix.
Safe to kill and re-run.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('suite', help='transfer suite, '
                        'configs/benchmarks/transfer_*.py')
    parser.add_argument('--methods', nargs='+',
                        help='only these pretraining methods')
    parser.add_argument('--tasks', nargs='+',
                        help='only these downstream tasks')
    parser.add_argument('--records', help='records file (default: '
                        'leaderboards/records.jsonl)')
    parser.add_argument('--rerun', action='store_true',
                        help='train the selected runs again')
    parser.add_argument('--work-root', default='work_dirs')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from kdbench.utils.cli import report_user_errors, run_suite
    with report_user_errors():
        from kdbench.leaderboard.transfer import TransferRunner
        sys.exit(run_suite(args.suite, lambda: TransferRunner(
            args.suite, records_path=args.records, work_root=args.work_root,
            rerun=args.rerun, methods=args.methods, tasks=args.tasks)))


if __name__ == '__main__':
    main()
