// What the prepacked product does with each finished part of C, on the thread that computed it, while it is in
// cache: the recurrent step's activation (forward) or derivative (backward), fused into the product.
namespace Rnn.Kernels;

/// <summary>What to do with each finished row segment of C, on the thread that computed it, while it is in cache.</summary>
internal enum GemmEpilogueKind : byte
{
    /// <summary>Leave C as the product made it.</summary>
    None,
    /// <summary>C = f(C): the forward step of a recurrent layer.</summary>
    Activation,
    /// <summary>C = C ⊙ f'(S), f' taken from the saved outputs S = f(net): the backward step.</summary>
    ActivationGradient,
}

/// <summary>An elementwise pass over C after the product (see <see cref="GemmEpilogueKind"/>).</summary>
internal readonly unsafe struct GemmEpilogue<T>(GemmEpilogueKind kind, Nonlinearity function, T* outputs = null, int ldOutputs = 0)
    where T : unmanaged
{
    public readonly GemmEpilogueKind Kind = kind;
    public readonly Nonlinearity Function = function;
    /// <summary>S [m, ldOutputs] for <see cref="GemmEpilogueKind.ActivationGradient"/>.</summary>
    public readonly T* Outputs = outputs;
    public readonly nint LdOutputs = ldOutputs;
}
