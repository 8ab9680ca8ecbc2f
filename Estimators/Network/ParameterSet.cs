namespace MlNetRnn.Network;

/// <summary>
/// Every trainable parameter of a network in one flat buffer, with a gradient buffer of the same layout and
/// named views into both. The optimizer, clipping, checkpointing and gradient checks are loops over one span.
/// </summary>
public sealed class ParameterSet
{
    private readonly List<ParameterTensor> _tensors = [];
    private readonly Dictionary<string, ParameterTensor> _byName = new(StringComparer.Ordinal);

    /// <param name="layout">Name and shape of each tensor, in buffer order.</param>
    public ParameterSet(IEnumerable<(string Name, int[] Shape)> layout)
    {
        var offset = 0;
        foreach (var (name, shape) in layout)
        {
            if (shape.Length == 0 || shape.Any(s => s <= 0))
                throw new ArgumentException($"Parameter '{name}' has shape [{string.Join(", ", shape)}]; every dimension must be positive.", nameof(layout));
            var tensor = new ParameterTensor(this, name, shape, offset);
            if (!_byName.TryAdd(name, tensor))
                throw new ArgumentException($"Parameter name '{name}' appears twice.", nameof(layout));
            _tensors.Add(tensor);
            offset = checked(offset + tensor.Length);
        }
        Values = new float[offset];
        Gradients = new float[offset];
    }

    /// <summary>All parameter values, tensors back to back in <see cref="Tensors"/> order.</summary>
    public float[] Values { get; }

    /// <summary>Gradients, same layout as <see cref="Values"/>; zeroed by <see cref="ZeroGradients"/>, accumulated by backward.</summary>
    public float[] Gradients { get; }

    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    public int Count => Values.Length;

    public ParameterTensor this[string name] => _byName.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"No parameter named '{name}'; the set has {string.Join(", ", _byName.Keys)}.");

    public bool Contains(string name) => _byName.ContainsKey(name);

    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>Copies values from another set with the same layout (names and shapes).</summary>
    public void CopyValuesFrom(ParameterSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        EnsureSameLayout(other);
        other.Values.AsSpan().CopyTo(Values);
    }

    public void EnsureSameLayout(ParameterSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        EnsureLayout(other._tensors.Select(t => (t.Name, t.Shape.ToArray())));
    }

    /// <summary>Throws unless the tensors are <paramref name="layout"/> (names and shapes, in order); allocates no
    /// buffers, so a model checks its weights against its spec without a second copy of them.</summary>
    public void EnsureLayout(IEnumerable<(string Name, int[] Shape)> layout)
    {
        var expected = layout.ToList();
        if (expected.Count != _tensors.Count)
            throw new ArgumentException($"Parameter layouts differ: {expected.Count} tensors against {_tensors.Count}.");
        for (var i = 0; i < _tensors.Count; i++)
        {
            var (a, (name, shape)) = (_tensors[i], expected[i]);
            if (a.Name != name || !a.Shape.SequenceEqual(shape))
                throw new ArgumentException($"Parameter layouts differ at {i}: {a} against {name} [{string.Join(", ", shape)}].");
        }
    }
}
