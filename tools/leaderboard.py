"""Re-render leaderboard markdown from the records file.

    python tools/leaderboard.py [--task classification] [--out FILE]

Writes the table and, beside it, its plots (forest plot of Δ with its CI,
validation curves). The extra comparisons, shared tuning settings and
tuning grids the records' suites declare (suite files under
configs/benchmarks/ only) are rendered as the runner renders them.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

TITLES = {'classification': 'Classification leaderboard',
          'detection': 'Detection leaderboard',
          'segmentation': 'Segmentation leaderboard',
          'tiny': 'Tiny-network leaderboard'}


def main(argv=None):
    repo = osp.dirname(osp.dirname(osp.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--records',
                        default=osp.join(repo, 'leaderboards', 'records.jsonl'))
    parser.add_argument('--task', default='classification')
    parser.add_argument('--out', help='write here instead of '
                        'leaderboards/<task>.md; "-" prints only')
    args = parser.parse_args(argv)
    from kdbench.utils.cli import report_user_errors
    with report_user_errors():
        render(args, repo)


def suite_options(records, task, repo):
    """The rendering options the suites of ``task``'s records declare
    (``comparisons``, ``tuning.share``), read from the suite files of
    this repository's ``configs/benchmarks/`` only (a records file names
    its suites; a path elsewhere is not read, a config being code)."""
    from mmengine.config import Config

    from kdbench.leaderboard.runner import tuning_grids
    trusted = osp.realpath(osp.join(repo, 'configs', 'benchmarks'))
    comparisons, share, grids = [], {}, {}
    for suite in sorted({r.get('suite') for r in records
                         if r.get('task') == task and r.get('suite')}):
        path = osp.realpath(osp.join(repo, suite))
        if not path.startswith(trusted + osp.sep) or \
                not osp.isfile(path):
            continue
        cfg = Config.fromfile(path)
        comparisons += [tuple(c) for c in cfg.get('comparisons', [])
                        if tuple(c) not in comparisons]
        tuning = cfg.get('tuning') or {}
        share.update(tuning.get('share', {}))
        grids.update(tuning_grids(tuning, cfg.get('methods', {})))
    return comparisons, share, grids


def render(args, repo):
    from kdbench.leaderboard import read_records, render_markdown
    from kdbench.leaderboard.render import _records_name, write_leaderboard
    from kdbench.utils.cli import UserInputError
    if not osp.isfile(args.records):
        raise UserInputError(f'--records {args.records}: no such file.')
    records = read_records(args.records)
    title = TITLES.get(args.task, args.task.title())
    out = args.out or osp.join(repo, 'leaderboards', f'{args.task}.md')
    comparisons, share, grids = suite_options(records, args.task, repo)
    if out == '-':
        text = render_markdown(records, args.task, title,
                               _records_name(args.records),
                               comparisons=comparisons, share=share,
                               grids=grids)
    else:
        text = write_leaderboard(records, args.task, title, out,
                                 args.records, comparisons, share, grids)
    print(text)


if __name__ == '__main__':
    main()
