namespace Cry.Training.Evaluation;

/// <summary>Precision, recall and F1 of one class, with its support (actual clips) and predicted count.</summary>
/// <param name="ClassIndex">The class.</param>
/// <param name="Precision">TP / predicted, 0 when nothing was predicted as this class.</param>
/// <param name="Recall">TP / support, 0 when the class has no clips.</param>
/// <param name="F1">2·TP / (support + predicted), 0 when both are 0.</param>
/// <param name="Support">Clips whose actual class this is.</param>
/// <param name="Predicted">Clips predicted as this class.</param>
public sealed record ClassMetrics(int ClassIndex, double Precision, double Recall, double F1, int Support, int Predicted);
