namespace Rnn.Data;

/// <summary>The words of <see cref="MissingValuePolicy"/>, as in model files and on the command line.</summary>
public static class MissingValuePolicies
{
    /// <summary><c>refuse</c>, <c>interpolate</c>, <c>ffill</c> or <c>drop</c>.</summary>
    public static string Name(MissingValuePolicy policy) => policy switch
    {
        MissingValuePolicy.Refuse => "refuse",
        MissingValuePolicy.Interpolate => "interpolate",
        MissingValuePolicy.ForwardFill => "ffill",
        MissingValuePolicy.Drop => "drop",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a missing-value policy."),
    };

    /// <summary>Parses <see cref="Name"/>'s output; null for another word.</summary>
    public static MissingValuePolicy? Parse(string name) => name switch
    {
        "refuse" => MissingValuePolicy.Refuse,
        "interpolate" => MissingValuePolicy.Interpolate,
        "ffill" => MissingValuePolicy.ForwardFill,
        "drop" => MissingValuePolicy.Drop,
        _ => null,
    };
}
