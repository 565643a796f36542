"""The torch and numpy primitives the checks use, captured once at import.

They are read here from immutable C types (``torch._C.TensorBase``) and, for numpy,
from :mod:`course.values`, when ``course.checks`` is imported: before any student code
runs, so that patching torch or numpy in a notebook cannot change what a check
computes (see :mod:`course.checks.integrity`). Also here: the exact types accepted
from student code, :func:`_exact` to test them, and where the libraries live.
"""

from __future__ import annotations

import importlib
import os
import sys

import numpy as np
import torch

from course import values
from course.checks import integrity

# numpy's, captured at import in course.values
_ndarray, _np_array, _nd_ravel, _nd_tolist = (values._ndarray, values._np_array,
                                              values._nd_ravel, values._nd_tolist)
_multiply, _not_equal = values._multiply, values._not_equal
_F64, _C128, _KIND_FAMILY = values._F64, values._C128, values._KIND_FAMILY
# torch's, read from its C tensor type
_TB = getattr(torch._C, "TensorBase", None) or torch._C._TensorBase
_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)
_t_detach, _t_to, _t_numpy = _TB.__dict__["detach"], _TB.__dict__["to"], _TB.__dict__["numpy"]
_t_clone, _t_numel = _TB.__dict__["clone"], _TB.__dict__["numel"]
_t_requires_grad_ = _TB.__dict__["requires_grad_"]
_t_shape, _t_dtype = _TB.__dict__["shape"].__get__, _TB.__dict__["dtype"].__get__
_t_device, _t_layout = _TB.__dict__["device"].__get__, _TB.__dict__["layout"].__get__
_t_requires_grad = _TB.__dict__["requires_grad"].__get__
_t_set_grad = _TB.__dict__["grad"].__set__
_no_torch_function = torch._C.DisableTorchFunctionSubclass
_strided, _float64, _complex128, _bool = torch.strided, torch.float64, torch.complex128, torch.bool
_from_numpy, _autograd_grad = torch.from_numpy, torch.autograd.grad
_enable_grad, _no_grad, _fork_rng = torch.enable_grad, torch.no_grad, torch.random.fork_rng
_Parameter, _Module = torch.nn.Parameter, torch.nn.Module
_named_parameters = torch.nn.Module.named_parameters
_named_modules, _children = torch.nn.Module.named_modules, torch.nn.Module.children

_PY_NUMBERS = (bool, int, float, complex)
_NP_NUMBERS = tuple({t for t in np.sctypeDict.values() if issubclass(t, np.number)}
                    | {np.bool_})
_NUMBER_TYPES = _PY_NUMBERS + _NP_NUMBERS
_SEQUENCES = (list, tuple)
_LIBRARY_DIRS = tuple(os.path.dirname(m.__file__) + os.sep
                      for m in (np, torch, importlib.import_module("course")))


def _exact(obj, types_: tuple) -> bool:
    """``type(obj)`` is one of ``types_``, by identity (a metaclass ``__eq__`` can't lie)."""
    kind = type(obj)
    return any(kind is t for t in types_)


integrity.lock_module(sys.modules[__name__])
