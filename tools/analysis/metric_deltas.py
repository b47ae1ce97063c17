"""Δ of any recorded metric, row by row, as the leaderboard computes the
headline one.

    python tools/analysis/metric_deltas.py SUITE METRIC_KEY [METRIC_KEY ...]
        [--scale 100] [--records leaderboards/records.jsonl]

Reads the current runs of a suite (the ones its table shows) and, for each
metric key of the runs' evaluation (e.g. ``coco/bbox_mAP_75``: LD claims
better localisation, which AP at IoU 0.75 shows more than AP50), prints
per method: n, mean ± std, its reference row, Δ with the 95 % CI (paired
by seed when the suite pairs) and the verdict. The test split's metrics
are read when the suite has a validation split, as the table's number is.
A run that lacks the key is listed, not dropped silently.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('suite', help='a suite under configs/benchmarks/')
    parser.add_argument('metrics', nargs='+', help='metric keys of the '
                        "runs' evaluation, e.g. coco/bbox_mAP_75")
    parser.add_argument('--scale', type=float,
                        help="multiplier of the values (default: the "
                        "suite's metric_scale)")
    parser.add_argument('--records',
                        default=osp.join(REPO, 'leaderboards',
                                         'records.jsonl'))
    return parser.parse_args(argv)


def _evaluation(record: dict) -> dict:
    extra = record.get('extra') or {}
    if extra.get('test_metrics') is not None:
        return extra['test_metrics']
    return extra.get('metrics') or {}


def metric_rows(records, suite: str, key: str, scale: float):
    """``(rows, missing)``: per method of the suite's current runs, its
    values by seed, reference, pairing, and the stats of Δ; ``missing``
    lists ``(method, seed)`` whose evaluation lacks ``key``."""
    from kdbench.leaderboard import stats
    from kdbench.leaderboard.render import current_runs
    current = current_runs([r for r in records if r.get('suite') == suite])
    values, missing, meta = {}, [], {}
    for method, runs in current.items():
        if method == 'teacher':
            continue
        for r in runs:
            metrics = _evaluation(r)
            if key in metrics:
                values.setdefault(method, {})[r['seed']] = \
                    float(metrics[key]) * scale
            else:
                missing.append((method, r['seed']))
        meta[method] = (runs[0].get('reference', 'baseline'),
                        bool(runs[0].get('paired')))
    rows = {}
    for method, by_seed in values.items():
        ref, paired = meta[method]
        delta = None
        if method != ref and ref in values:
            delta = stats.compare(by_seed, values[ref], paired)
        rows[method] = dict(values=by_seed, reference=ref, delta=delta,
                            mean_std=stats.mean_std(list(by_seed.values())))
    return rows, missing


def main(argv=None):
    args = parse_args(argv)
    from kdbench.leaderboard.records import read_records
    from kdbench.leaderboard.runner import repo_relpath
    from kdbench.utils.cli import UserInputError, load_config, \
        report_user_errors
    with report_user_errors():
        suite = repo_relpath(args.suite)
        scale = args.scale if args.scale is not None else float(
            load_config(args.suite).get('metric_scale', 1))
        records = read_records(args.records)
        if not any(r.get('suite') == suite for r in records):
            raise UserInputError(f'{args.records} holds no run of {suite}: '
                                 f'run tools/benchmark.py {suite} first.')
        for key in args.metrics:
            rows, missing = metric_rows(records, suite, key, scale)
            if not rows:
                raise UserInputError(
                    f'No current run of {suite} has the metric {key!r}; '
                    f'the runs record: {sorted(_keys(records, suite))}.')
            print(f'\n{key} (x{scale:g}), {suite}')
            print('| method | n | mean ± std | vs | Δ [95 % CI] | verdict |')
            print('|---|---|---|---|---|---|')
            for method in sorted(rows, key=lambda m: (m != 'baseline', m)):
                row = rows[method]
                mean, std = row['mean_std']
                d = row['delta']
                cells = ('–', '–', '–') if d is None else (
                    row['reference'],
                    f'{d.delta:+.2f} [{d.low:+.2f}, {d.high:+.2f}]',
                    d.verdict)
                print(f'| {method} | {len(row["values"])} | {mean:.2f} ± '
                      f'{std:.2f} | ' + ' | '.join(cells) + ' |')
            if missing:
                print('runs without this metric (not counted): ' + ', '.join(
                    f'{m} seed {s}' for m, s in sorted(missing)))


def _keys(records, suite):
    keys = set()
    for r in records:
        if r.get('suite') == suite:
            keys.update(_evaluation(r))
    return keys


if __name__ == '__main__':
    main()
