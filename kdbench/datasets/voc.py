"""Write composite scenes in the PASCAL VOC layout.

``<devkit>/VOC<year>/JPEGImages/<id>.jpg``, ``Annotations/<id>.xml`` and
``ImageSets/Main/<image_set>.txt``. The XML is standard VOC: size, and per
object name (the Fashion-MNIST class name), pose 'Unspecified', truncated 0
(items lie fully inside the canvas), difficult 0, and ``bndbox`` in VOC's
1-based inclusive pixel coordinates: ``xmin = x_first + 1``,
``xmax = x_last + 1`` for the visible mask's first/last pixel column.

mmdet's VOCDataset subtracts 1 from all four values, so it reads
``[x_first, y_first, x_last, y_last]`` -- one pixel narrower than the
exclusive COCO box, exactly as it reads the real VOC; VOCMetric's legacy
(+1) coordinates make that consistent. VOCDataset needs 'VOC2007' or
'VOC2012' in ``data_prefix['sub_data_root']`` to pick the eval mode.
"""
import os
import os.path as osp
import xml.etree.ElementTree as ET

import cv2

from .coco import JPEG_PARAMS
from .fashion_mnist import FASHION_MNIST_CLASSES
from .scenes import tight_box


def voc_xml(scene, folder, file_name):
    """The VOC annotation of ``scene`` as an ElementTree."""
    root = ET.Element('annotation')
    ET.SubElement(root, 'folder').text = folder
    ET.SubElement(root, 'filename').text = file_name
    source = ET.SubElement(root, 'source')
    ET.SubElement(source, 'database').text = \
        'kdbench mini VOC (Fashion-MNIST composites)'
    size = ET.SubElement(root, 'size')
    height, width, depth = scene.image.shape
    for tag, value in (('width', width), ('height', height), ('depth', depth)):
        ET.SubElement(size, tag).text = str(value)
    ET.SubElement(root, 'segmented').text = '0'
    for instance in scene.instances:
        obj = ET.SubElement(root, 'object')
        ET.SubElement(obj, 'name').text = FASHION_MNIST_CLASSES[instance.label]
        ET.SubElement(obj, 'pose').text = 'Unspecified'
        ET.SubElement(obj, 'truncated').text = '0'
        ET.SubElement(obj, 'difficult').text = '0'
        box = ET.SubElement(obj, 'bndbox')
        x0, y0, x1, y1 = tight_box(instance.mask)
        for tag, value in zip(('xmin', 'ymin', 'xmax', 'ymax'),
                              (x0, y0, x1, y1)):
            ET.SubElement(box, tag).text = str(value + 1)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def write_voc_images(year_dir, image_ids, scenes):
    """Write JPEGImages/ and Annotations/; returns (images, instances)."""
    folder = osp.basename(osp.normpath(year_dir))
    for sub in ('JPEGImages', 'Annotations'):
        os.makedirs(osp.join(year_dir, sub), exist_ok=True)
    num_images = num_instances = 0
    for image_id, scene in zip(image_ids, scenes):
        file_name = f'{image_id}.jpg'
        cv2.imwrite(osp.join(year_dir, 'JPEGImages', file_name),
                    cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR), JPEG_PARAMS)
        voc_xml(scene, folder, file_name).write(
            osp.join(year_dir, 'Annotations', f'{image_id}.xml'),
            encoding='utf-8')
        num_images += 1
        num_instances += len(scene.instances)
    return num_images, num_instances


def write_image_set(year_dir, name, image_ids):
    """Write ImageSets/Main/<name>.txt, one id per line."""
    main = osp.join(year_dir, 'ImageSets', 'Main')
    os.makedirs(main, exist_ok=True)
    with open(osp.join(main, f'{name}.txt'), 'w') as f:
        f.writelines(f'{i}\n' for i in image_ids)
