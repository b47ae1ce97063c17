import os.path as osp

from setuptools import find_packages, setup


def pinned_requirements():
    path = osp.join(osp.dirname(__file__), 'requirements', 'stack.txt')
    with open(path) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


setup(
    name='kdbench',
    version='0.1.0',
    description='Knowledge-distillation benchmark suite on OpenMMLab 2.x',
    packages=find_packages(include=['kdbench', 'kdbench.*']),
    python_requires='>=3.11',
    install_requires=pinned_requirements(),
)
