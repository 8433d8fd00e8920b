"""Sample-quality metrics: FID, KID, Inception Score, precision/recall, accuracy.

Scores are computed from the features of a `FeatureExtractor` and always carry
its identity (name + SHA-256 of its weights): numbers from different
extractors are on different scales and are never compared. See
docs/metrics.md.
"""

from kerasgan.metrics.distances import activation_statistics
from kerasgan.metrics.distances import classifier_accuracy
from kerasgan.metrics.distances import fid_from_activations
from kerasgan.metrics.distances import frechet_distance
from kerasgan.metrics.distances import inception_score
from kerasgan.metrics.distances import kernel_inception_distance
from kerasgan.metrics.distances import precision_recall
from kerasgan.metrics.domain_classifier import DomainClassifier
from kerasgan.metrics.evaluation import evaluate
from kerasgan.metrics.evaluation import format_table
from kerasgan.metrics.feature_extractor import FeatureExtractor
from kerasgan.metrics.inception_v3_extractor import InceptionV3Extractor
from kerasgan.metrics.reference_statistics import ReferenceStatistics
from kerasgan.metrics.reference_statistics import reference_statistics
from kerasgan.metrics.score import HIGHER_IS_BETTER
from kerasgan.metrics.score import Score
from kerasgan.metrics.score import compare
from kerasgan.metrics.score import scores_from_results
from kerasgan.metrics.translation import translation_metrics
