"""Build the embedded mini datasets from Fashion-MNIST.

    python tools/prepare_data.py [--out data] [--source DIR] [--seed 0]
                                 [--only cls,coco,voc,cityscapes] [--force]

Writes data/fashion_mnist (mmpretrain FashionMNIST layout), data/mini_coco,
data/mini_voc/VOCdevkit and data/mini_cityscapes; see
kdbench/datasets/prepare.py for layouts and sizes. Up-to-date targets are
skipped; --force rebuilds them. Exit code 2 when the source is missing, 1
when a target exists but was not written by this tool (--force replaces it).

Needs only numpy and OpenCV: kdbench/datasets is loaded on its own, without
kdbench/__init__.py (which imports torch and the mm* stack).
"""
import argparse
import importlib
import importlib.util
import os.path as osp
import sys
import time

DATASETS_DIR = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'kdbench', 'datasets')


def load_generator(name='kdbench_datasets'):
    """Import kdbench/datasets as package ``name``; return its prepare and
    fashion_mnist modules."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, osp.join(DATASETS_DIR, '__init__.py'),
            submodule_search_locations=[DATASETS_DIR])
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return (importlib.import_module(f'{name}.prepare'),
            importlib.import_module(f'{name}.fashion_mnist'))


prepare, fashion_mnist = load_generator()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Build the mini datasets (Fashion-MNIST classification '
        'and composite-scene COCO / VOC / Cityscapes) reproducibly.')
    parser.add_argument('--out', default='data', help='output root')
    parser.add_argument(
        '--source', help='directory holding the four Fashion-MNIST idx .gz '
        'files (default: $KDBENCH_FASHION_MNIST, then '
        '/usr/share/datasets/fashion-mnist)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--only', default=','.join(prepare.TARGET_DIRS),
        help=f'comma-separated subset of {",".join(prepare.TARGET_DIRS)}')
    parser.add_argument('--force', action='store_true',
                        help='rebuild targets even if up to date')
    args = parser.parse_args(argv)
    args.only = [n.strip() for n in args.only.split(',') if n.strip()]
    unknown = sorted(set(args.only) - set(prepare.TARGET_DIRS))
    if unknown:
        parser.error(f'unknown --only entries {unknown}; '
                     f'choose from {",".join(prepare.TARGET_DIRS)}')
    return args


def describe(counts):
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict):
            parts.append(f"{key} {value['images']} img/"
                         f"{value['instances']} inst")
        elif isinstance(value, int):
            parts.append(f'{key} {value}')
    return ', '.join(parts)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        source = fashion_mnist.locate_source(args.source)
    except fashion_mnist.FashionMNISTNotFoundError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f'Fashion-MNIST source: {source}')
    items = prepare.SourceItems(source)
    digests = fashion_mnist.source_digests(source)
    for name in args.only:
        try:
            result = prepare.build(name, args.out, items, seed=args.seed,
                                   force=args.force, digests=digests)
        except prepare.TargetNotOursError as e:
            print(f'error: {e}', file=sys.stderr)
            return 1
        if result.status == 'skipped':
            print(f'{name:<11} skipped: {result.path} is up to date (seed '
                  f'{args.seed}, same sizes and source); --force rebuilds')
        else:
            print(f'{name:<11} wrote {result.path} in {result.seconds:.1f} s'
                  f' ({describe(result.counts)})')
    print(f'done in {time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
