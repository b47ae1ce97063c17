#!/usr/bin/env bash
# Make sure the real Fashion-MNIST idx files are on this machine.
# Debian/Ubuntu: the package dataset-fashion-mnist installs them under
# /usr/share/datasets/fashion-mnist. Elsewhere, point FASHION_MNIST_DIR at a
# directory holding the four idx .gz files.
set -eu
DIR=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ -f "$DIR/train-images-idx3-ubyte.gz" ] && [ -f "$DIR/t10k-labels-idx1-ubyte.gz" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "Installing Debian package dataset-fashion-mnist ..."
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq dataset-fashion-mnist
    [ -f "$DIR/train-images-idx3-ubyte.gz" ] && exit 0
  fi
fi
cat >&2 <<MSG
Fashion-MNIST was not found in $DIR and could not be installed.
Either install the Debian package:   apt-get install dataset-fashion-mnist
or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in a directory and
run with FASHION_MNIST_DIR=that/dir, or, on a machine with internet access,
let mmpretrain download them:
  python -c "from mmpretrain.datasets import FashionMNIST; FashionMNIST(data_root='fmnist_src', download=True)"
and use FASHION_MNIST_DIR=fmnist_src.
MSG
exit 1
