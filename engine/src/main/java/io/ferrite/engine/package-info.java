/**
 * The public pipeline API, the planner and the runtime (built by the engine issue).
 */
package io.ferrite.engine;
