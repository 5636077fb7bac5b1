from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "lede.images"
    label = "images"
    verbose_name = "Images"
