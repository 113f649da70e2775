namespace Rnn.Tensors;

/// <summary>A named view into a <see cref="ParameterSet{T}"/>: Length elements from Offset.</summary>
/// <param name="Name">The PyTorch-style name, e.g. <c>weight_hh_l0_reverse</c>.</param>
/// <param name="Shape">The shape, row-major, e.g. [H, H].</param>
/// <param name="Offset">Where the view starts in the set's buffers.</param>
public sealed record Parameter(string Name, int[] Shape, int Offset)
{
    /// <summary>The number of elements, the product of <see cref="Shape"/>.</summary>
    public int Length { get; } = Shape.Aggregate(1, (a, b) => checked(a * b));

    /// <summary>The shape as text, e.g. <c>[16, 8]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
