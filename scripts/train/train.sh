#!/bin/sh
# Runs train.py with the thread settings that are fastest on a 2-core machine: torch uses one thread and
# OpenBLAS two; OpenBLAS misdetects this VM's AVX-512 CPU unless told its core type (see TRAINING-NOTES).
# Only the training process gets these settings.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-SkylakeX}"
export OMP_NUM_THREADS=1
exec /usr/bin/python3 "$(dirname "$0")/train.py" "$@"
