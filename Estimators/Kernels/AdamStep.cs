namespace MlNetRnn.Kernels;

/// <summary>
/// The scalars of one Adam step (<see cref="ISequenceKernel.AdamUpdate"/>): the moment decays and epsilon, and the
/// bias corrections of step t folded in: StepSize = lr / (1 - beta1^t), Correction2 = 1 / sqrt(1 - beta2^t),
/// Decay = 1 - lr * weightDecay (decoupled weight decay; 1 for none).
/// </summary>
public readonly record struct AdamStep(float Beta1, float Beta2, float Epsilon, float StepSize, float Correction2, float Decay);
