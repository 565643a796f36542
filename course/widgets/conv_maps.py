"""5. Feature maps: the input digit and the outputs of one conv layer of a LeNet."""

from __future__ import annotations

import functools
import math

from course import validate
from course.metrics import _array
from course.plot.boundary import _eval_mode
from course.widgets.explorer import Explorer, _between, _checked, _choice


def feature_maps(model, images, index=0) -> Explorer:
    """The input digit and the feature maps of one conv layer of ``model``.

    ``model``: a LeNet (notebook 10) or any ``nn.Module`` with ``nn.Conv2d``
    layers; ``images`` (N, C, H, W), e.g. MNIST digits (N, 1, 28, 28). Controls:
    ``index`` (the image) and ``layer`` (a conv layer by name). The maps are the
    conv layer's raw outputs, before the ReLU that follows it (negative responses
    included), taken with a forward hook under ``torch.no_grad`` in eval mode.
    """
    import torch

    validate.instance("model", model, torch.nn.Module, "a torch.nn.Module such as LeNet()")
    layers = {name: m for name, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)}
    if not layers:
        raise ValueError(f"model must contain nn.Conv2d layers (e.g. LeNet), "
                         f"got {type(model).__name__} without any")
    images = _image_batch(images, next(iter(layers.values())).in_channels)
    top = len(images) - 1
    values = {"index": _between(0, top, integer=True)("index", index),
              "layer": next(iter(layers))}
    checks = {"index": _checked("index", _between(0, top, integer=True)),
              "layer": _checked("layer", _choice(list(layers)))}

    def controls():
        import ipywidgets as w
        return {"index": w.IntSlider(min=0, max=top, description="image"),
                "layer": w.Dropdown(options=list(layers), description="layer")}

    draw = functools.partial(_draw_maps, model, layers, images)
    return Explorer(draw, values, checks, controls, size=(10.0, 4.2)).show()


def _image_batch(images, channels: int):
    """``images`` as a float tensor (N, channels, H, W)."""
    import torch

    if not isinstance(images, torch.Tensor):
        images = torch.as_tensor(_array("images", images))
    if images.ndim != 4 or images.shape[1] != channels or images.shape[0] == 0:
        hint = " (add the channel axis: images.unsqueeze(1))" if images.ndim == 3 else ""
        raise ValueError(f"images must have shape (N, {channels}, H, W) with N >= 1, "
                         f"got {tuple(images.shape)}{hint}")
    return images.detach().float()


def _activations_of(model, layer, x):
    """Output of ``layer`` and of ``model`` for the batch ``x``."""
    import torch

    seen = {}
    handle = layer.register_forward_hook(lambda m, i, out: seen.update(out=out))
    first = next(model.parameters(), None)
    try:
        with torch.no_grad(), _eval_mode(model):
            logits = model(x.to(first.device) if first is not None else x)
    finally:
        handle.remove()
    return seen["out"].cpu(), logits.cpu()


def _draw_maps(model, layers, images, fig, values) -> str:
    index, name = values["index"], values["layer"]
    image = images[index:index + 1]                                       # (1, C, H, W)
    maps, logits = _activations_of(model, layers[name], image)            # (1, K, h, w)
    maps = maps[0].numpy()                                                # (K, h, w)
    left, right = fig.subfigures(1, 2, width_ratios=[1, 3])
    ax = left.subplots()
    ax.imshow(image[0, 0].numpy(), cmap="gray")
    predicted = int(logits.argmax(dim=1)[0]) if logits.ndim == 2 else None
    ax.set_title(f"image {index}" + ("" if predicted is None else f"\npredicted {predicted}"))
    _hide_axes(ax)
    count = len(maps)
    ncols = math.ceil(math.sqrt(count * 2))
    nrows = math.ceil(count / ncols)
    grid = right.subplots(nrows, ncols, squeeze=False).ravel()
    for k, cell in enumerate(grid):
        if k < count:
            cell.imshow(maps[k], cmap="viridis")
        _hide_axes(cell)
    right.suptitle(f"{name}: {count} maps of {maps.shape[1]}x{maps.shape[2]} "
                   f"(conv output, before the ReLU)")
    return f"image {index}, layer {name}: {count} feature maps of shape {maps.shape[1:]}"


def _hide_axes(ax) -> None:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
