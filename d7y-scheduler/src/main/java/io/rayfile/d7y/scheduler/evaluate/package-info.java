/**
 * Parent selection: {@link io.rayfile.d7y.scheduler.evaluate.ParentSelector} filters and ranks the peers of a
 * content for one child; {@link io.rayfile.d7y.scheduler.evaluate.LoadAwareEvaluator} is the implementation whose
 * filters and score docs/scheduling.md documents.
 */
package io.rayfile.d7y.scheduler.evaluate;
