"""The visible checks of 06.ImageDataset name the pitfalls the notebook warns about."""

import torch
from torch.utils.data import Dataset
from torchvision import transforms

import course
from course.checks.exercises import ex06  # noqa: F401  (registers the checks)
from tests.unit.exercise_sources import assert_mentions, check_output


class ImageDataset(Dataset):
    """The solution: the transform runs at every read."""

    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[i])


class EagerDataset(ImageDataset):
    """Transforms every image once, in __init__."""

    def __init__(self, images, labels, transform=None):
        super().__init__([transform(im) for im in images] if transform else images, labels)


class OwnConversion(ImageDataset):
    """Converts the image itself and never calls the transform."""

    def __getitem__(self, i):
        image = torch.as_tensor(self.images[i], dtype=torch.float32) / 255
        return image.unsqueeze(0), int(self.labels[i])


class DefaultToTensor(ImageDataset):
    """Falls back to ToTensor when no transform is given."""

    def __init__(self, images, labels, transform=None):
        super().__init__(images, labels, transform or transforms.ToTensor())


def _fails_with(answer, words, capsys):
    assert_mentions(check_output(capsys, "06.ImageDataset", answer), *words)


def test_the_solution_passes():
    assert course.check("06.ImageDataset", ImageDataset) is True


def test_an_eager_transform_is_named(capsys):
    _fails_with(EagerDataset, ["called the transform 2 times already",
                               "would otherwise be the same in every epoch"], capsys)


def test_an_ignored_transform_is_named(capsys):
    _fails_with(OwnConversion, ["called the transform 0 times",
                                "Apply self.transform to the image"], capsys)


def test_a_default_transform_is_named(capsys):
    _fails_with(DefaultToTensor, ["should hold the raw image",
                                  "return images[i] itself"], capsys)


def test_a_function_is_not_a_dataset(capsys):
    _fails_with(lambda images, labels, transform=None: list(images),
                ["should be a torch.utils.data.Dataset"], capsys)
